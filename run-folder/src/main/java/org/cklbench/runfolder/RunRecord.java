package org.cklbench.runfolder;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

import java.util.List;
import java.util.SortedMap;

/**
 * {@code run.json}: the run's id, its resolved configuration, its provenance, the methods it used as
 * they described themselves, and the variant (the method parameters that differ from the defaults in
 * effect for its preset, which name the run's leaderboard row).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"id", "config", "provenance", "methods", "variant"})
public record RunRecord(String id, RunConfig config, RunProvenance provenance, List<MethodInfo> methods,
                        SortedMap<String, Object> variant) {
    public RunRecord withProvenance(RunProvenance p) {
        return new RunRecord(id, config, p, methods, variant);
    }
}
