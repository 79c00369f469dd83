package com.aicallgo.coldcall.core.snapstart;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class PrimingTest {
    @Test
    void classPrimingLoadsEveryClassOfOursFromATaskDirectory() throws Exception {
        // core's own classes sit in target/classes here, a directory as Lambda's /var/task is
        Path root = Path.of(Priming.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        long expected;
        try (Stream<Path> files = Files.walk(root.resolve("com/aicallgo/coldcall"))) {
            expected = files.filter(file -> file.toString().endsWith(".class")).count();
        }
        Priming.Loaded loaded = Priming.loadOwnClasses(Priming.class);
        assertTrue(expected > 100, "core has " + expected + " classes");
        assertEquals(new Priming.Loaded((int) expected, 0), loaded, "every class of core loads and initializes");
    }

    @Test
    void fromAJarItDoesNothing() {
        assertEquals(new Priming.Loaded(0, 0), Priming.loadOwnClasses(ObjectMapper.class));
    }
}
