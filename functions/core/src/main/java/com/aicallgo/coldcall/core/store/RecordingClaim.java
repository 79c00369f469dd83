package com.aicallgo.coldcall.core.store;

/** The answer to "may I send record_start now?". */
public sealed interface RecordingClaim {
    /** Yours: send it, then settle the recording state with this token. */
    record Claimed(String token) implements RecordingClaim {
    }

    /** Started before, or another caller is sending it right now. */
    record AlreadyStarted() implements RecordingClaim {
    }

    /** The call gate refused the call: it is never recorded. */
    record Blocked() implements RecordingClaim {
    }

    /** The call has ended. */
    record CallEnded() implements RecordingClaim {
    }
}
