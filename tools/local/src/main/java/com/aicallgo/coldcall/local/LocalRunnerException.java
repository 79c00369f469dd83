package com.aicallgo.coldcall.local;

/** A problem the runner explains in one line instead of a stack trace. */
final class LocalRunnerException extends RuntimeException {
    LocalRunnerException(String message) {
        super(message);
    }
}
