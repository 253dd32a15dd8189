package org.cklbench.core.benchmark;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The input files of a run, by name ({@code model} first), and the benchmark's meta-training split
 * file when the data has one (hashed into a run only when a method prepares on it).
 */
public record BenchmarkInputs(Map<String, Path> files, Path metaTraining) {
    public BenchmarkInputs {
        files = new LinkedHashMap<>(files);
        if (!files.containsKey("model")) {
            throw new IllegalArgumentException("a benchmark's inputs must name the model folder ('model')");
        }
        for (Map.Entry<String, Path> e : files.entrySet()) {
            if (!Files.exists(e.getValue())) {
                throw new IllegalArgumentException(e.getValue() + " does not exist (input '" + e.getKey() + "')");
            }
        }
    }

    public Path model() {
        return files.get("model");
    }

    public Path file(String name) {
        Path p = files.get(name);
        if (p == null) {
            throw new IllegalStateException("the run has no input '" + name + "'");
        }
        return p;
    }
}
