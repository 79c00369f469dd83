package com.aicallgo.coldcall.core.calls;

import com.aicallgo.coldcall.core.time.Deadline;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.IntFunction;

/** One pass of a scheduled batch: due entries page by page, each at most once, until none is left or the deadline. */
final class Pass {
    private Pass() {
    }

    /**
     * @param due the due entries, at most a page more than the {@code int} already handled this pass
     * @param handle what to do with one entry (it deals with its own failures)
     */
    static <T> void each(Deadline deadline, IntFunction<List<T>> due, Consumer<T> handle) {
        // entries handled this pass are skipped: a requeued one may still be due, and is not handled twice
        Set<T> seen = new HashSet<>();
        boolean more = true;
        while (more && !deadline.passed()) {
            List<T> fresh = due.apply(seen.size()).stream().filter(entry -> !seen.contains(entry)).toList();
            more = !fresh.isEmpty();
            for (T entry : fresh) {
                if (deadline.passed()) {
                    return;
                }
                seen.add(entry);
                handle.accept(entry);
            }
        }
    }
}
