package com.aicallgo.coldcall.core.calls;

import com.aicallgo.coldcall.core.telnyx.WebhookEvent;

/**
 * Every Telnyx call event, whichever webhook route it came to. Telnyx sends a call's recording events to the
 * connection's webhook URL ({@code record_start} takes no URL of its own), which is the call-status route: both
 * routes therefore take both kinds, and the recording route stays for accounts that send recording events elsewhere.
 */
public final class CallEvents {
    private final CallTracker calls;
    private final RecordingTracker recordings;

    public CallEvents(CallTracker calls, RecordingTracker recordings) {
        this.calls = calls;
        this.recordings = recordings;
    }

    public EventOutcome apply(WebhookEvent event) {
        return switch (event.type()) {
            case CALL_INITIATED, CALL_ANSWERED, CALL_HANGUP -> calls.apply(event);
            case RECORDING_SAVED, RECORDING_ERROR -> recordings.apply(event);
            case OTHER -> EventOutcome.IGNORED;
        };
    }
}
