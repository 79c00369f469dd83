package com.aicallgo.coldcall.core.store;

/** How many entries the outbox and the dead-letter list hold. */
public record Backlog(long outbox, long deadLetters) {
}
