package com.aicallgo.coldcall.core.secrets;

/** The secret could not be read (network, permissions, a missing or malformed secret). */
public final class SecretsUnavailableException extends RuntimeException {
    public SecretsUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
