package com.aicallgo.coldcall.core.config;

import com.aicallgo.coldcall.core.ErrorCode;
import com.aicallgo.coldcall.core.Failure;

/** A required setting is missing, malformed or renamed. The message names the variable, never its value. */
public final class ConfigException extends Failure {
    public ConfigException(String message) {
        super(ErrorCode.MISCONFIGURED, "The function is misconfigured; the log says what is missing", message, null);
    }
}
