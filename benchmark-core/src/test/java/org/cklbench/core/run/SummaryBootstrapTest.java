package org.cklbench.core.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.cklbench.core.benchmark.Protocol;
import org.cklbench.core.eval.ProbeResult;
import org.cklbench.runfolder.Prediction;
import org.cklbench.runfolder.Replicates;
import org.cklbench.runfolder.RunFolder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class SummaryBootstrapTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    /** A benchmark whose summary is the best mean accuracy over evaluations of split "a". */
    private static final Protocol BEST_OF_A = new Protocol() {
        @Override
        public List<Stage> stages() {
            return List.of();
        }

        @Override
        public boolean evaluatesBeforeTraining() {
            return true;
        }

        @Override
        public List<ProbeSet> probes(int stage) {
            return List.of();
        }

        @Override
        public String evaluationName(int stage) {
            return "eval-" + stage;
        }

        @Override
        public ObjectNode metrics(int stage, Map<String, List<ProbeResult>> results) {
            return JSON.createObjectNode().put("a", results.get("a").stream().mapToDouble(ProbeResult::accuracy).average()
                    .orElseThrow());
        }

        @Override
        public ObjectNode summarize(List<? extends JsonNode> metrics) {
            ObjectNode o = JSON.createObjectNode();
            o.putObject("nested").put("best", metrics.stream().mapToDouble(m -> m.get("a").asDouble()).max().orElseThrow());
            return o;
        }
    };

    private static final double[][] ACC = {{0, 1, 0, 0, 1}, {1, 1, 0, 1, 0}};

    private RunFolder folderWithPredictions(Path dir) throws Exception {
        RunFolder f = new RunFolder(dir);
        for (int k = 0; k < ACC.length; k++) {
            List<Prediction> rows = new ArrayList<>();
            for (int i = 0; i < ACC[k].length; i++) {
                rows.add(new Prediction("a", "u" + i, null, null, "o", "o", ACC[k][i], 1.0, new long[] {1}, new long[] {1}));
            }
            f.writePredictions("eval-" + k, rows);
        }
        return f;
    }

    /** Each replicate by hand: resample split a with that replicate's draws, take each evaluation's mean, the best. */
    @Test
    void aReplicateIsTheSummaryOfTheResampledProbes() throws Exception {
        RunFolder f = folderWithPredictions(tmp.resolve("run"));
        Replicates r = SummaryBootstrap.of(BEST_OF_A, f, 0, 1, 50);
        assertThat(r.scheme()).isEqualTo(SummaryBootstrap.SCHEME);
        double[] best = r.values().get("/nested/best");
        assertThat(best).hasSize(50);
        for (int b = 0; b < 50; b++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int k = 0; k < ACC.length; k++) {
                int[] idx = SummaryBootstrap.draws("a", k, 5, b);
                double sum = 0;
                for (int i : idx) {
                    sum += ACC[k][i];
                }
                max = Math.max(max, sum / 5);
            }
            assertThat(best[b]).as("replicate %d", b).isCloseTo(max, within(1e-9));
        }
        assertThat(java.util.Arrays.stream(best).distinct().count()).as("the replicates vary").isGreaterThan(2);
    }

    /** Two runs of the same probes get the same draws: their replicates pair. */
    @Test
    void theDrawsDependOnTheProbeSetAloneSoRunsPair() throws Exception {
        Replicates x = SummaryBootstrap.of(BEST_OF_A, folderWithPredictions(tmp.resolve("x")), 0, 1, 20);
        Replicates y = SummaryBootstrap.of(BEST_OF_A, folderWithPredictions(tmp.resolve("y")), 0, 1, 20);
        assertThat(x.values().get("/nested/best")).containsExactly(y.values().get("/nested/best"));
        assertThat(SummaryBootstrap.draws("a", 1, 5, 3)).containsExactly(SummaryBootstrap.draws("a", 1, 5, 3));
        assertThat(SummaryBootstrap.draws("a", 1, 5, 3)).isNotEqualTo(SummaryBootstrap.draws("a", 1, 5, 4));
    }
}
