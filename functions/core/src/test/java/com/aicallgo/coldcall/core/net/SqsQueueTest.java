package com.aicallgo.coldcall.core.net;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.aicallgo.coldcall.core.config.Config;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class SqsQueueTest {
    private static final Config.Aws AWS = new Config.Aws("us-east-1", null, "test-key-id", "test-secret", null, false);

    @Test
    void primingSendsOneMessageAnsweredFromMemory() {
        // the SDK checks the answer's MD5 of the body: a wrong canned answer fails here, not after a restore
        assertDoesNotThrow(() -> SqsQueue.prime(AWS));
    }

    @Test
    void aSendIsBoundedByItsDeadlineAndItsFailureNamesNoKey() {
        // a port that accepts nothing: the send fails, within its time, with the SDK's reason and no key
        SqsQueue queue = SqsQueue.live(AWS, "http://127.0.0.1:9", "http://127.0.0.1:9/000000000000/q");
        IllegalStateException failure = assertThrows(IllegalStateException.class,
                () -> queue.send("{}", 3, Duration.ofMillis(300)));
        assertFalse(failure.getMessage().contains("test-secret"), failure.getMessage());
        assertFalse(failure.getMessage().contains("test-key-id"), failure.getMessage());
    }
}
