package com.aicallgo.coldcall.core.store;

/**
 * A record sent to the Web Backend once: the call's log, or one recording's metadata. Its field on the call's hash
 * (and its outbox member) is {@code call_log} or {@code recording:<recording_id>}.
 */
public sealed interface Deliverable {
    CallLog CALL_LOG = new CallLog();

    /** The hash field that holds its mark. */
    String field();

    record CallLog() implements Deliverable {
        @Override
        public String field() {
            return "call_log";
        }
    }

    record Recording(String id) implements Deliverable {
        static final String PREFIX = "recording:";

        @Override
        public String field() {
            return PREFIX + id;
        }
    }

    /** The deliverable named by a field, or {@code null} when the field names none. */
    static Deliverable parse(String field) {
        if (field.equals(CALL_LOG.field())) {
            return CALL_LOG;
        }
        return field.startsWith(Recording.PREFIX) ? new Recording(field.substring(Recording.PREFIX.length())) : null;
    }
}
