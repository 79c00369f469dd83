package com.aicallgo.coldcall.core.webbackend;

/**
 * {@code POST /api/v1/recordings} (RecordingCreateRequest), docs/contracts.md "Web Backend", plus one optional field:
 * {@code recording_url_expires_at}, when Telnyx's link stops working (absent for a public link, which does not
 * expire). A link is never posted older than {@code RECORDING_LINK_MAX_AGE_SECONDS}: it is read again first.
 */
public record RecordingMetadata(
        String callSid,
        String recordingSid,
        String recordingUrl,
        String recordingStatus,
        long recordingDurationSeconds,
        int recordingChannels,
        String telephonyProvider,
        String recordingUrlExpiresAt) {
    public static final String PATH = "/api/v1/recordings";

    /** The same record with another link. */
    public RecordingMetadata withLink(String url, String expiresAt) {
        return new RecordingMetadata(callSid, recordingSid, url, recordingStatus, recordingDurationSeconds,
                recordingChannels, telephonyProvider, expiresAt);
    }
}
