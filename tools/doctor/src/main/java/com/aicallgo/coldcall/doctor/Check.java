package com.aicallgo.coldcall.doctor;

/**
 * One finding: what was checked, what the account has, and, unless it is fine, how to fix it.
 *
 * @param name what was checked, e.g. {@code webhook URL}
 * @param found what the account has, in words
 * @param fix where to change it (portal path, API call); empty when {@link Status#OK}
 */
record Check(Status status, String name, String found, String fix) {
    enum Status {
        OK("ok"), WARN("warn"), FAIL("FAIL");

        final String word;

        Status(String word) {
            this.word = word;
        }
    }

    static Check ok(String name, String found) {
        return new Check(Status.OK, name, found, "");
    }

    static Check warn(String name, String found, String fix) {
        return new Check(Status.WARN, name, found, fix);
    }

    static Check fail(String name, String found, String fix) {
        return new Check(Status.FAIL, name, found, fix);
    }

    /** The report's line: {@code FAIL  webhook URL: <found>. Fix: <fix>}. */
    String line() {
        return String.format("%-4s  %s: %s%s", status.word, name, found, fix.isEmpty() ? "" : ". Fix: " + fix);
    }
}
