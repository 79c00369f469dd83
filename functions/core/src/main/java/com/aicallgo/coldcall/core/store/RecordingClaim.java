package com.aicallgo.coldcall.core.store;

/** The answer to "may I send record_start now?". */
public sealed interface RecordingClaim {
    /** Yours: send it, then settle the recording state with this token. */
    record Claimed(String token) implements RecordingClaim {
    }

    /** Started before, or another caller is sending it right now. */
    record AlreadyStarted() implements RecordingClaim {
    }

    /** The call has ended. */
    record CallEnded() implements RecordingClaim {
    }

    static RecordingClaim of(String answer) {
        return switch (answer) {
            case "ended" -> new CallEnded();
            case "started", "requesting" -> new AlreadyStarted();
            default -> new Claimed(answer);
        };
    }
}
