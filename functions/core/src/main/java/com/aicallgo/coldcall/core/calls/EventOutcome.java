package com.aicallgo.coldcall.core.calls;

import java.util.Locale;

/** What a Telnyx event led to; the wire name goes into the acknowledgement and the log line. */
public enum EventOutcome {
    IGNORED,
    /** A verified event that names none of our calls by any id it carries: acknowledged and logged. */
    UNATTRIBUTED,
    DUPLICATE,
    RECORDED,
    ANSWERED,
    RECORDING_STARTED,
    RECORDING_ALREADY_STARTED,
    RECORDING_CALL_ENDED,
    /** Telnyx does not see the call answered yet: the event is not remembered, and its redelivery is asked for. */
    AWAITING_ANSWER,
    CALL_LOG_POSTED,
    CALL_LOG_ALREADY_POSTED,
    CALL_LOG_QUEUED,
    CALL_LOG_DEAD_LETTERED,
    RECORDING_POSTED,
    RECORDING_ERROR_POSTED,
    RECORDING_ALREADY_POSTED,
    RECORDING_QUEUED,
    RECORDING_DEAD_LETTERED,
    /** A recording event without a recording id that the recordings API could not name yet: the check finds it. */
    RECORDING_LOOKUP_DEFERRED,
    /** Parked flow: the transfer to the dialled number was sent. */
    CONNECTING,
    CONNECT_ALREADY_SENT,
    /** Parked flow: the destination could not be reached; the browser's leg was hung up with the outcome. */
    CONNECT_FAILED,
    /** A parked call while {@code CALL_FLOW} is direct: nothing connects it (logged at WARN). */
    PARKED_NOT_CONNECTED,
    /** The call gate refused the call (a rule or a limit): never connected, hung up, its log {@code failed}. */
    CALL_BLOCKED,
    /** Not one of our calls (an inbound call, another connection's): acknowledged and logged, nothing done. */
    NOT_OURS,
    /** Telnyx refused a command the event called for: logged with its detail; the event itself was fine. */
    TELNYX_REJECTED;

    /** {@code call_log_posted}. */
    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }
}
