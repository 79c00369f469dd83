package com.aicallgo.coldcall.core.telnyx;

import com.aicallgo.coldcall.core.ErrorCode;
import com.aicallgo.coldcall.core.Failure;

/** Telnyx did not answer in time ({@code telnyx_unavailable}) or refused a command ({@code telnyx_rejected}). */
public final class TelnyxFailure extends Failure {
    private TelnyxFailure(ErrorCode code, String message, String detail) {
        super(code, message, detail);
    }

    static TelnyxFailure unavailable(String message, String detail) {
        return new TelnyxFailure(ErrorCode.TELNYX_UNAVAILABLE, message, detail);
    }

    static TelnyxFailure rejected(String message, String detail) {
        return new TelnyxFailure(ErrorCode.TELNYX_REJECTED, message, detail);
    }
}
