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
 * {@code reproducible} is false (and {@code reproducible_note} says why) where the suite cannot train the
 * run again, as for adapters trained elsewhere and only scored here; absent where it can.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"id", "config", "provenance", "methods", "variant", "training", "reproducible", "reproducible_note"})
public record RunRecord(String id, RunConfig config, RunProvenance provenance, List<MethodInfo> methods,
                        SortedMap<String, Object> variant, Map<String, Object> training,
                        Boolean reproducible,
                        @com.fasterxml.jackson.annotation.JsonProperty("reproducible_note") String reproducibleNote) {
    @com.fasterxml.jackson.annotation.JsonCreator
    public RunRecord {
    }

    public RunRecord(String id, RunConfig config, RunProvenance provenance, List<MethodInfo> methods,
                     SortedMap<String, Object> variant, Map<String, Object> training) {
        this(id, config, provenance, methods, variant, training, null, null);
    }

    public RunRecord withProvenance(RunProvenance p) {
        return new RunRecord(id, config, p, methods, variant, training, reproducible, reproducibleNote);
    }

    public RunRecord withTraining(Map<String, Object> t) {
        return new RunRecord(id, config, provenance, methods, variant, t, reproducible, reproducibleNote);
    }

    /** The same, marked as reproducible by the suite or not, and why not ({@code note}). */
    public RunRecord withReproducible(boolean r, String note) {
        return new RunRecord(id, config, provenance, methods, variant, training, r ? null : Boolean.FALSE, r ? null : note);
    }

    /** Whether the suite can train this run again: false only where run.json says so. */
    public boolean suiteReproducible() {
        return !Boolean.FALSE.equals(reproducible);
    }
}
