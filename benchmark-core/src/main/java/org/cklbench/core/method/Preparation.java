package org.cklbench.core.method;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.cklbench.core.benchmark.MetaExample;
import org.cklbench.progress.Progress;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Work a method needs done once before it can run, such as TAALM's meta-training of a
 * Train-Attention model. The runtime runs it into a cache folder under CKL_HOME keyed by the SHA-256
 * of its inputs (the method, {@link #settings()}, the base model's files and the benchmark's
 * meta-training split), reuses it for every run with the same inputs, and hands the result to the
 * method through {@link MethodParams#prepared()}. Concurrent runs wait for one another.
 */
public interface Preparation {
    /** A short name for logs and cache folders, e.g. {@code train-attention}. */
    String name();

    /** Everything besides the input files that fixes the result (hashed into the cache key, recorded). */
    ObjectNode settings();

    /**
     * Files or folders the result depends on besides the run's model and the split (e.g. TAALM's own
     * base for φ), by name; their SHA-256 is part of the cache key.
     */
    default Map<String, Path> inputs() {
        return Map.of();
    }

    /**
     * Produces the result under {@code work} (an empty folder, or what an interrupted call left there,
     * to resume from) and returns the folder inside it that is the result.
     */
    Path run(Context context, Path work) throws IOException;

    /**
     * What a preparation may use.
     *
     * @param model     the run's base model folder
     * @param split     the benchmark's meta-training examples: documents each paired with a probe of its fact,
     *                  disjoint from what the benchmark trains on and probes
     * @param device    cpu or gpu[:N]
     */
    record Context(Path model, List<MetaExample> split, String device, Progress progress) {
    }
}
