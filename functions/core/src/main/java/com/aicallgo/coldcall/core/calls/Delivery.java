package com.aicallgo.coldcall.core.calls;

import com.aicallgo.coldcall.core.http.ApiException;
import com.aicallgo.coldcall.core.http.ErrorCode;
import com.aicallgo.coldcall.core.store.CallStore;
import com.aicallgo.coldcall.core.webbackend.WebBackendClient;
import java.time.Clock;

/**
 * Posts a record to the Web Backend exactly once per call and name: a claim in the call's Redis hash keeps two
 * concurrent deliveries of the same webhook from posting twice, and a success is remembered so a redelivery posts
 * nothing. A failure gives the claim back and answers 503, so Telnyx redelivers and the next attempt posts.
 */
public final class Delivery {
    /** What happened to the record. */
    public enum Result {
        POSTED,
        ALREADY_POSTED
    }

    private final CallStore store;
    private final WebBackendClient webBackend;
    private final Clock clock;

    public Delivery(CallStore store, WebBackendClient webBackend, Clock clock) {
        this.store = store;
        this.webBackend = webBackend;
        this.clock = clock;
    }

    /**
     * Posts {@code record} to {@code path} unless the call's field {@code name} says it was posted.
     *
     * @throws ApiException 503 {@code web_backend_unavailable} when the post failed, 503
     *     {@code delivery_in_progress} while another delivery of the same record is under way
     */
    public Result deliver(String callControlId, String name, String path, Object record) {
        String claim = store.claim(callControlId, name, clock.instant());
        switch (CallStore.claimOf(claim)) {
            case DONE:
                return Result.ALREADY_POSTED;
            case BUSY:
                throw new ApiException(ErrorCode.DELIVERY_IN_PROGRESS,
                        "This record is being delivered by another request; retry later", name + " is claimed", null);
            default:
                break;
        }
        WebBackendClient.Result result = webBackend.post(path, record);
        if (!result.delivered()) {
            store.settle(callControlId, name, claim, null);
            throw new ApiException(ErrorCode.WEB_BACKEND_UNAVAILABLE,
                    "The Web Backend did not take the record; retry later", result.detail(), null);
        }
        store.settle(callControlId, name, claim, "done");
        return Result.POSTED;
    }
}
