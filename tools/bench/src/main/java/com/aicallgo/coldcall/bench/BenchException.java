package com.aicallgo.coldcall.bench;

/** The benchmark itself broke (a function failed or answered wrongly): the run stops with a non-zero exit. */
final class BenchException extends RuntimeException {
    BenchException(String message) {
        super(message);
    }
}
