package org.cklbench.core.eval;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.cklbench.engine.model.HfModels;
import org.cklbench.engine.model.ForwardHooks;
import org.cklbench.engine.model.LlamaConfig;
import org.cklbench.engine.model.LlamaModel;
import org.cklbench.engine.tokenizer.TextTokenizer;
import org.cklbench.engine.tokenizer.WordLevelTokenizers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class ProbeEvaluatorTest {
    @TempDir
    Path dir;

    private static final List<Probe> PROBES = List.of(
            new Probe("u1", "Paris is the capital of France .", "France"),
            new Probe("u2", "The river Seine flows through Paris and reaches the sea near Le Havre .", "Le Havre"),
            new Probe("u3", "Paris loves Paris .", "Paris"),
            new Probe("u4", "Rome is in Italy .", "Italy"));

    /** Batched, padded evaluation equals a probe-by-probe computation from the full logits. */
    @Test
    void batchedResultsEqualADirectComputation() throws Exception {
        WordLevelTokenizers.write(dir, PROBES.stream().map(Probe::sentence).toList());
        try (TextTokenizer tok = TextTokenizer.load(dir);
             LlamaModel model = HfModels.init(LlamaConfig.create(40, 16, 32, 2, 4, 2, false, 64), 5,
                     Device.cpu(), DataType.FLOAT32);
             NDManager m = NDManager.newBaseManager(Device.cpu())) {
            List<ProbeResult> got = new ProbeEvaluator(model, tok, 3).evaluate(PROBES, ForwardHooks.NONE, n -> { });
            for (int i = 0; i < PROBES.size(); i++) {
                Probe p = PROBES.get(i);
                long[] ids = tok.encode(p.sentence());
                long[] obj = tok.encodePlain(p.object());
                int start = lastOccurrence(ids, obj);
                NDArray in = m.create(ids, new Shape(1, ids.length));
                NDArray logp = model.logits(in, in.onesLike(), ForwardHooks.NONE).logSoftmax(-1);
                float[] flat = logp.toFloatArray();
                int vocab = 40;
                int correct = 0;
                double nll = 0;
                for (int j = 0; j < obj.length; j++) {
                    int pos = start + j - 1;
                    int best = 0;
                    for (int v = 1; v < vocab; v++) {
                        if (flat[pos * vocab + v] > flat[pos * vocab + best]) {
                            best = v;
                        }
                    }
                    correct += best == obj[j] ? 1 : 0;
                    nll -= flat[pos * vocab + (int) obj[j]];
                    assertThat(got.get(i).predictedIds()[j]).isEqualTo(best);
                }
                assertThat(got.get(i).uuid()).isEqualTo(p.uuid());
                assertThat(got.get(i).accuracy()).isEqualTo((double) correct / obj.length);
                assertThat(got.get(i).objectNll()).isCloseTo(nll / obj.length, within(1e-4));
            }
        }
    }

    private static int lastOccurrence(long[] ids, long[] obj) {
        for (int s = ids.length - obj.length; s >= 0; s--) {
            if (java.util.Arrays.equals(ids, s, s + obj.length, obj, 0, obj.length)) {
                return s;
            }
        }
        throw new AssertionError();
    }

    @Test
    void theObjectIsLocatedAtItsLastOccurrence() throws Exception {
        WordLevelTokenizers.write(dir, PROBES.stream().map(Probe::sentence).toList());
        try (TextTokenizer tok = TextTokenizer.load(dir);
             LlamaModel model = HfModels.init(LlamaConfig.create(40, 16, 32, 1, 2, 1, false, 64), 5,
                     Device.cpu(), DataType.FLOAT32)) {
            ProbeEvaluator.Located l = new ProbeEvaluator(model, tok, 2).locate(PROBES.get(2));
            assertThat(l.objectStart()).isEqualTo(3);
            assertThat(l.objectLength()).isEqualTo(1);
            assertThatThrownBy(() -> new ProbeEvaluator(model, tok, 2)
                    .locate(new Probe("uuid-42", "Rome is in Italy .", "France")))
                    .isInstanceOf(ProbeNotLocatedException.class).hasMessageContaining("uuid-42")
                    .hasMessageContaining("France");
        }
    }
}
