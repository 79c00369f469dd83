package com.aicallgo.coldcall.core.store;

import java.util.Locale;

/**
 * What became of one recording at Telnyx, as stored ({@code result:<recording>}) and as the Web Backend's
 * {@code recording_status} (docs/contracts.md "Web Backend"): saved, or failed.
 */
public enum RecordingStatus {
    COMPLETED,
    FAILED;

    private final String wire = name().toLowerCase(Locale.ROOT);

    /** The stored and posted spelling: {@code completed}, {@code failed}. */
    public String wire() {
        return wire;
    }

    /** A recording's status from whether Telnyx saved it. */
    public static RecordingStatus of(boolean completed) {
        return completed ? COMPLETED : FAILED;
    }
}
