package org.cklbench.runfolder;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code bootstrap.json}: the run's headline figures recomputed on resampled probe sets, for intervals
 * and paired comparisons. {@code values} maps a summary field (a JSON pointer such as
 * {@code /top_acc}) to one value per replicate. Replicate {@code b} of every run that shares a
 * {@code scheme} resampled the same probes, so two runs' replicates can be differenced pairwise.
 *
 * @param replicates how many replicates each field has
 * @param scheme     names the resampling; runs compare pairwise only under the same scheme
 */
public record Replicates(int replicates, String scheme, Map<String, double[]> values) {
    /** The most replicates a file may hold; more is refused as not this suite's. */
    public static final int MAX = 10_000;

    public Replicates {
        values = values == null ? Map.of() : new LinkedHashMap<>(values);
    }

    /** This, checked as any input from a run folder must be: counts agree, values finite, sizes bounded. */
    public Replicates validated() {
        if (replicates < 2 || replicates > MAX) {
            throw new IllegalArgumentException("replicates " + replicates + " outside 2.." + MAX);
        }
        if (scheme == null || scheme.isBlank() || scheme.length() > 200) {
            throw new IllegalArgumentException("a bootstrap needs a scheme name of at most 200 characters");
        }
        if (values.size() > 1000) {
            throw new IllegalArgumentException("more than 1000 bootstrapped fields");
        }
        values.forEach((k, v) -> {
            if (k == null || !k.startsWith("/") || v == null || v.length != replicates) {
                throw new IllegalArgumentException("field " + k + ": expected " + replicates + " values under a JSON pointer");
            }
            for (double x : v) {
                if (!Double.isFinite(x)) {
                    throw new IllegalArgumentException("field " + k + " holds a value that is not finite");
                }
            }
        });
        return this;
    }
}
