package com.aicallgo.coldcall.core.webbackend;

/** {@code POST /api/v1/recordings} (RecordingCreateRequest), CONTRACTS §4. */
public record RecordingMetadata(
        String callSid,
        String recordingSid,
        String recordingUrl,
        String recordingStatus,
        long recordingDurationSeconds,
        int recordingChannels,
        String telephonyProvider) {
    public static final String PATH = "/api/v1/recordings";
}
