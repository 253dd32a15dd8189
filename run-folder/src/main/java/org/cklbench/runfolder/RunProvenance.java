package org.cklbench.runfolder;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

import java.util.Map;

/**
 * Where a result came from: the software (suite version and commit, Java, DJL, PyTorch, device), the
 * classes of the benchmark and of each method, every input file by SHA-256, and when it ran.
 *
 * @param codeSha256 SHA-256 of the plugin jar the benchmark or a method came from, by id (the suite's own code
 *                   is named by the commit in {@code software}), so that {@code ckl verify} can tell a swapped jar
 * @param resumed when the run last continued from a checkpoint (null if it never did)
 * @param finished null until the run is complete
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"software", "benchmark_origin", "method_origins", "code_sha256", "inputs", "started", "resumed",
    "finished"})
public record RunProvenance(Map<String, Object> software, String benchmarkOrigin, Map<String, String> methodOrigins,
                            Map<String, String> codeSha256, Map<String, InputFiles> inputs, String started,
                            String resumed, String finished) {
    public RunProvenance withFinished(String when) {
        return new RunProvenance(software, benchmarkOrigin, methodOrigins, codeSha256, inputs, started, resumed, when);
    }
}
