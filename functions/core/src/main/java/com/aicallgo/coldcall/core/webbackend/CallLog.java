package com.aicallgo.coldcall.core.webbackend;

/** {@code POST /api/v1/call-logs} (CallLogCreateRequest), docs/contracts.md "Web Backend". */
public record CallLog(
        String businessId,
        String callerPhoneNumber,
        String toPhoneNumber,
        String callDirection,
        String callStartTime,
        String callEndTime,
        long callDurationSeconds,
        String callStatus,
        String twilioCallSid) {
    public static final String PATH = "/api/v1/call-logs";
}
