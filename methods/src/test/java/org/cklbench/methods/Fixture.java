package org.cklbench.methods;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import org.cklbench.engine.model.HfModels;
import org.cklbench.testing.Shared;
import org.cklbench.testing.TinyModels;
import org.cklbench.core.method.CklMethod;
import org.cklbench.core.method.MethodParams;
import org.cklbench.core.method.MethodProvider;
import org.cklbench.engine.model.LlamaModel;
import org.cklbench.core.state.TrainSettings;
import org.cklbench.core.state.TrainingDocument;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A tiny Llama of the fixture's shape, random and seeded (the methods' tests check properties, not the
 * fixture's numbers, so they run without ../shared), and random documents over its 512-token vocabulary.
 */
final class Fixture {
    private Fixture() {
    }

    static LlamaModel model() {
        return TinyModels.random(17);
    }

    /** The fixture's own tiny Llama, for a test that compares with the reference's numbers (skips without ../shared). */
    static LlamaModel referenceModel() throws Exception {
        return HfModels.load(Shared.tinyLlama("model"), Device.cpu(), DataType.FLOAT32);
    }

    static List<TrainingDocument> documents(int n, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        List<TrainingDocument> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            long[] ids = new long[8 + rng.nextInt(8)];
            ids[0] = 1;
            for (int t = 1; t < ids.length; t++) {
                ids[t] = 3 + rng.nextInt(500);
            }
            out.add(new TrainingDocument("doc-" + seed + "-" + i, "", ids, Map.of()));
        }
        return out;
    }

    static TrainSettings settings(int batch) {
        return new TrainSettings(batch, 1, 1e-2, "constant", 0, 0, 0, 64, 4, 8, 0, false);
    }

    static CklMethod create(MethodProvider p, Map<String, String> params) {
        return p.create(MethodParams.resolve(p.id(), p.parameters(), Map.of(), params));
    }
}
