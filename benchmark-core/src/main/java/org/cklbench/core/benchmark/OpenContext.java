package org.cklbench.core.benchmark;

import com.fasterxml.jackson.databind.JsonNode;
import org.cklbench.engine.tokenizer.TextTokenizer;

import java.nio.file.Path;
import java.util.Map;

/**
 * What a benchmark reads its protocol with: the resolved settings, the input files, the model's
 * tokenizer, and the longest training sequence ({@code max_tokens}).
 */
public record OpenContext(JsonNode settings, Map<String, Path> inputs, TextTokenizer tokenizer, int maxTokens) {
    public Path input(String name) {
        Path p = inputs.get(name);
        if (p == null) {
            throw new IllegalStateException("the run has no input '" + name + "'");
        }
        return p;
    }
}
