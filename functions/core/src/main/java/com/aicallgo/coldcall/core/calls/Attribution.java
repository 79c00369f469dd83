package com.aicallgo.coldcall.core.calls;

import com.aicallgo.coldcall.core.CallControlId;

/**
 * Which of our calls an event belongs to (keyed by the browser leg's call control id), and whether it is about the
 * browser's own leg or a leg Telnyx created for the call (the destination's, in the parked flow); {@link CallEvents}
 * attributes each event.
 *
 * @param call the browser leg's call control id
 * @param ownLeg whether the event is about that leg itself
 * @param indexed whether the event's leg (and so its session, indexed with it) already names {@code call}: a call
 *     event then need not index them again
 */
public record Attribution(CallControlId call, boolean ownLeg, boolean indexed) {
}
