package com.aicallgo.coldcall.core.calls;

import java.util.Locale;

/** What a Telnyx event led to; the wire name goes into the acknowledgement and the log line. */
public enum EventOutcome {
    IGNORED,
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
    RECORDING_DEAD_LETTERED;

    /** {@code call_log_posted}. */
    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }
}
