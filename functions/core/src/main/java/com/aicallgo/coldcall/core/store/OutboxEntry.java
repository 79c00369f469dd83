package com.aicallgo.coldcall.core.store;

/** One outbox member: a call's deliverable, due at its score. */
public record OutboxEntry(String callControlId, Deliverable deliverable) {
}
