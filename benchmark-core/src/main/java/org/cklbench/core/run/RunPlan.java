package org.cklbench.core.run;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.nio.file.Path;
import java.util.Map;

/**
 * A resolved run: the benchmark's settings (every hyperparameter the preset fixed, as recorded in
 * run.json) and its inputs (model folder, data, ...), which provenance hashes.
 */
public record RunPlan(ObjectNode settings, Map<String, Path> inputs) {
    public Path input(String name) {
        Path p = inputs.get(name);
        if (p == null) {
            throw new IllegalStateException("plan has no input '" + name + "'");
        }
        return p;
    }
}
