package com.aicallgo.coldcall.local.twin;

/**
 * A valid MP3 file of silence made here, the twin's recording: MPEG-1 Layer III frames, 44.1 kHz, 128 kbit/s,
 * stereo (a dual-channel recording has two channels), whose empty side information decodes as silence.
 */
final class Mp3 {
    private static final int FRAME_BYTES = 417; // 144 * 128000 / 44100, no padding
    private static final double FRAMES_PER_SECOND = 44_100.0 / 1152;

    private Mp3() {
    }

    static byte[] silence(double seconds) {
        int frames = Math.max(1, (int) Math.ceil(Math.min(seconds, 600) * FRAMES_PER_SECOND));
        byte[] file = new byte[frames * FRAME_BYTES];
        for (int i = 0; i < frames; i++) {
            int at = i * FRAME_BYTES;
            file[at] = (byte) 0xFF;
            file[at + 1] = (byte) 0xFB; // MPEG-1, Layer III, no CRC
            file[at + 2] = (byte) 0x90; // 128 kbit/s, 44.1 kHz, no padding
            file[at + 3] = (byte) 0x04; // stereo, original
        }
        return file;
    }
}
