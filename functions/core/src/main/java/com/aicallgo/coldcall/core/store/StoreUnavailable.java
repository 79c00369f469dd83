package com.aicallgo.coldcall.core.store;

import com.aicallgo.coldcall.core.ErrorCode;
import com.aicallgo.coldcall.core.Failure;

/** Redis did not answer (down, unreachable, timed out): the caller may try again. */
public final class StoreUnavailable extends Failure {
    StoreUnavailable(String detail) {
        super(ErrorCode.STORE_UNAVAILABLE, "Call state storage is unavailable; try again", detail);
    }
}
