package org.cklbench.runfolder;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

import java.util.List;
import java.util.Map;
import java.util.SortedMap;

/**
 * {@code run.json}: the run's id, its resolved configuration, its provenance, the methods it used as
 * they described themselves, the variant (the method parameters that differ from the defaults in
 * effect for its preset, which name the run's leaderboard row), and what the training set up (trainable
 * parameters, rows per step, corpora, what each method reported), written once training starts.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"id", "config", "provenance", "methods", "variant", "training"})
public record RunRecord(String id, RunConfig config, RunProvenance provenance, List<MethodInfo> methods,
                        SortedMap<String, Object> variant, Map<String, Object> training) {
    public RunRecord withProvenance(RunProvenance p) {
        return new RunRecord(id, config, p, methods, variant, training);
    }

    public RunRecord withTraining(Map<String, Object> t) {
        return new RunRecord(id, config, provenance, methods, variant, t);
    }
}
