package com.aicallgo.coldcall.core.secrets;

import com.aicallgo.coldcall.core.ErrorCode;
import com.aicallgo.coldcall.core.Failure;

/** The secret could not be read (network, permissions, a missing or malformed secret). */
public final class SecretsUnavailableException extends Failure {
    public SecretsUnavailableException(String message, Throwable cause) {
        super(ErrorCode.SECRETS_UNAVAILABLE, "Configuration secrets cannot be read right now", message, cause);
    }
}
