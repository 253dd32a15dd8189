package org.cklbench.runfolder;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.cklbench.io.Hashing;

import java.util.SortedMap;

/**
 * The resolved configuration of a run: everything that determines its numbers and nothing that does
 * not. Method parameters carry their defaults and typed values ({@code keep=.4} and {@code keep=0.40}
 * are the same 0.4), settings are the preset's with the user's overrides, paths are absolute, and
 * {@code model} or {@code data} are null where the preset provides them. Its hash is the run id, the
 * same for {@code ckl run} and {@code ckl sweep}.
 *
 * @param benchmarkVersion the benchmark's data and protocol version: a changed protocol never reuses an old run
 * @param methodParams     every parameter of the method spec with its value ({@code <id>.<name>} when composed)
 * @param dtype            the compute precision asked for, or "default"
 * @param threads          0 since the arithmetic is pinned (results are computed on a fixed thread count, so
 *                         the thread count is no part of a configuration); older run.json files hold the
 *                         {@code --threads} they were made with, and keep their ids
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonPropertyOrder({"benchmark", "benchmark_version", "method", "method_params", "preset", "settings", "seed", "model",
    "data", "device", "dtype", "threads"})
public record RunConfig(String benchmark, String benchmarkVersion, String method, SortedMap<String, Object> methodParams,
                        String preset, ObjectNode settings, long seed, String model, String data, String device,
                        String dtype, int threads) {

    /** {@code <benchmark>_<method>_<preset>_s<seed>_<first 12 hex of the SHA-256 of the canonical configuration>}. */
    @JsonIgnore
    public String id() {
        return benchmark + "_" + method + "_" + preset + "_s" + seed + "_" + Hashing.sha256(Json.canonical(this)).substring(0, 12);
    }
}
