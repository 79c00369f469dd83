package com.aicallgo.coldcall.core.config;

/** A required setting is missing, malformed or renamed. The message names the variable, never its value. */
public final class ConfigException extends RuntimeException {
    public ConfigException(String message) {
        super(message);
    }
}
