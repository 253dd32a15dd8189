package org.cklbench.cli;

import org.cklbench.core.run.RunRequest;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The quickstart's queue: no worker waits for a Train-Attention model, and no long run is left for last. */
class QuickstartQueueTest {
    @Test
    void preparationsFirstThenRunsWithoutAModelThenRunsThatUseOne() {
        List<RunRequest> queue = new ArrayList<>();
        for (String bench : QuickstartCommand.BENCHMARKS) {
            for (String method : QuickstartCommand.METHODS) {
                for (long seed = 1; seed <= 3; seed++) {
                    queue.add(new RunRequest(bench, method, Map.of(), "quick", Map.of(), null, null, seed, "cpu", null, 1));
                }
            }
        }
        queue.sort(Comparator.comparingInt(QuickstartCommand::queuePosition));
        List<String> order = queue.stream().map(r -> r.benchmark() + " " + r.method() + " " + r.seed()).toList();
        // each seed's TAALM run meta-trains that seed's Train-Attention model, so all of them go first
        assertThat(order.subList(0, 6)).containsExactlyInAnyOrder("lama-ckl taalm 1", "lama-ckl taalm 2",
                "lama-ckl taalm 3", "temporalwiki taalm 1", "temporalwiki taalm 2", "temporalwiki taalm 3");
        int lastWithout = 0;
        int firstWith = order.size();
        for (int i = 6; i < order.size(); i++) {
            if (order.get(i).contains("taalm")) {
                firstWith = Math.min(firstWith, i);
            } else {
                lastWithout = i;
            }
        }
        assertThat(lastWithout).as("every run without TAALM before any that uses a prepared model").isLessThan(firstWith);
        assertThat(order.get(6)).contains("mixreview");
        assertThat(order.get(firstWith)).contains("taalm+mixreview");
        assertThat(order.get(lastWithout)).contains("none");
    }

    @Test
    void runsGetTheFirstJitTierUnlessTheUserChoseTheirOwnOptions() {
        Map<String, String> env = QuickstartCommand.childEnvironment(java.nio.file.Path.of("home"));
        assertThat(env).containsKey("CKL_HOME");
        if (System.getenv("CKL_JAVA_OPTS") == null) {
            assertThat(env).containsEntry("CKL_JAVA_OPTS", "-XX:TieredStopAtLevel=1");
        } else {
            assertThat(env).doesNotContainKey("CKL_JAVA_OPTS");
        }
    }
}
