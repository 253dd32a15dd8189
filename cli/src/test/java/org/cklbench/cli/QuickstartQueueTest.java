package org.cklbench.cli;

import org.cklbench.core.plugin.Registries;
import org.cklbench.core.run.ResolvedRun;
import org.cklbench.core.run.RunRequest;
import org.cklbench.sweeps.Grid;
import org.cklbench.sweeps.LocalExecutor;
import org.cklbench.sweeps.RunQueue;
import org.cklbench.sweeps.SweepEntry;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The quickstart's plan (a grid in the resources) and its queue: the same 72 runs as when the plan was
 * code, no worker waiting for a Train-Attention model, and no long run left for last.
 */
class QuickstartQueueTest {
    private static final Registries REGISTRIES = registries();

    private static Registries registries() {
        try {
            return Registries.load(null);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static List<SweepEntry> plan() throws Exception {
        try (InputStream in = QuickstartCommand.class.getResourceAsStream(QuickstartCommand.PLAN)) {
            return Grid.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), Path.of(QuickstartCommand.PLAN))
                    .expand(REGISTRIES);
        }
    }

    @Test
    void thePlanListsTheRunsTheQuickstartAlwaysRan() throws Exception {
        // the list as it was written in QuickstartCommand before the plan became data: the same run ids
        List<String> methods = List.of("taalm", "none", "finetune", "kadapter", "recadam", "mixreview", "rho1", "oracle",
                "lead", "taalm+kadapter", "taalm+recadam", "taalm+mixreview");
        List<String> ids = new ArrayList<>();
        for (String bench : List.of("lama-ckl", "temporalwiki")) {
            for (String method : methods) {
                for (long seed = 1; seed <= 3; seed++) {
                    ids.add(ResolvedRun.of(new RunRequest(bench, method, Map.of(), "quick", Map.of(), null, null, seed,
                            "cpu", null, 1), REGISTRIES).id());
                }
            }
        }
        assertThat(plan().stream().map(SweepEntry::id).toList()).containsExactlyInAnyOrderElementsOf(ids);
    }

    @Test
    void preparationsFirstThenRunsWithoutAModelThenRunsThatUseOne() throws Exception {
        List<String> order = RunQueue.order(plan(), REGISTRIES).stream()
                .map(e -> e.request().benchmark() + " " + e.request().method() + " " + e.request().seed()).toList();
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
        // the costliest first within each part, by the cost the plan declares
        assertThat(order.get(6)).contains("mixreview");
        assertThat(order.get(firstWith)).contains("taalm+mixreview");
        assertThat(order.get(lastWithout)).contains("none");
    }

    @Test
    void workersGetTheFirstJitTierUnlessTheUserChoseTheirOwnOptions() {
        Map<String, String> env = LocalExecutor.environment(Path.of("home"));
        assertThat(env).containsKey("CKL_HOME");
        if (System.getenv("CKL_JAVA_OPTS") == null) {
            assertThat(env).containsEntry("CKL_JAVA_OPTS", "-XX:TieredStopAtLevel=1");
        } else {
            assertThat(env).doesNotContainKey("CKL_JAVA_OPTS");
        }
    }
}
