package com.aicallgo.coldcall.core.store;

import java.time.Instant;

/**
 * The connect command a parked call was sent: the attempt that names its {@code command_id}, and when that attempt
 * was first sent. A delivery after a slow or lost answer sends the same attempt again while Telnyx still ignores a
 * repeated id, so the call is connected at most once.
 *
 * @param attempt the attempt's name ({@code TelnyxCallControl.Attempt})
 * @param firstSent when the attempt was first sent
 */
public record ConnectAttempt(String attempt, Instant firstSent) {
}
