package com.aicallgo.coldcall.core.config;

import java.util.Locale;

/**
 * What {@code GET /webrtc-credentials} hands out ({@code CREDENTIALS_MODE}; docs/configuration.md "Credentials
 * modes").
 */
public enum CredentialsMode {
    /** The default: each rep's own Telnyx telephony credential and a short-lived login token for it; no password. */
    REP("rep"),
    /** One shared telephony credential ({@code TELNYX_SIP_CREDENTIAL_ID}): its login token, no password. */
    TOKEN("token"),
    /** The shared SIP login and its permanent password (plus the shared credential's token when one is set). */
    PASSWORD("password");

    private final String setting;

    CredentialsMode(String setting) {
        this.setting = setting;
    }

    /** The value as {@code CREDENTIALS_MODE} spells it. */
    public String setting() {
        return setting;
    }

    /** The mode a setting names; {@code null} for a value that names none. */
    public static CredentialsMode of(String value) {
        String wanted = value.trim().toLowerCase(Locale.ROOT);
        for (CredentialsMode mode : values()) {
            if (mode.setting.equals(wanted)) {
                return mode;
            }
        }
        return null;
    }
}
