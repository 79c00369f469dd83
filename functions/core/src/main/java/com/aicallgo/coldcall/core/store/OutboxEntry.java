package com.aicallgo.coldcall.core.store;

import com.aicallgo.coldcall.core.CallControlId;

/** One outbox member: a call's deliverable, due at its score. */
public record OutboxEntry(CallControlId callControlId, Deliverable deliverable) {
}
