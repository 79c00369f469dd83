package com.aicallgo.coldcall.core.calls;

import com.aicallgo.coldcall.core.Failure;

/**
 * What Telnyx is told of one of its events: the event is acknowledged, with what it led to, or Telnyx is asked to
 * deliver it again, with the reason (a {@link Failure} whose code the HTTP edge answers with a 503).
 */
public sealed interface EventResult {
    /** The {@code outcome} of the log line: {@code call_log_posted}, or the reason's code ({@code awaiting_answer}). */
    String wire();

    /** A 200; {@code detail}, when there is one (a command Telnyx refused), goes to the log line. */
    record Acknowledged(EventOutcome outcome, String detail) implements EventResult {
        @Override
        public String wire() {
            return outcome.wire();
        }
    }

    /** A 503, so that Telnyx delivers the event again. */
    record DeliverAgain(Failure reason) implements EventResult {
        @Override
        public String wire() {
            return reason.code().code();
        }
    }
}
