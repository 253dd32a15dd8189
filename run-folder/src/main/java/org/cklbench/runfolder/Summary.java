package org.cklbench.runfolder;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code summary.json}: the benchmark and method of a complete run and its headline figures, whose
 * names and shape are the benchmark's (its leaderboard spec says where each column is).
 */
@JsonPropertyOrder({"benchmark", "method"})
public final class Summary {
    private final String benchmark;
    private final String method;
    private final Map<String, JsonNode> values = new LinkedHashMap<>();

    @JsonCreator
    public Summary(@JsonProperty("benchmark") String benchmark, @JsonProperty("method") String method) {
        this.benchmark = benchmark;
        this.method = method;
    }

    /** A summary holding every field of {@code values}, in order. */
    public static Summary of(String benchmark, String method, ObjectNode values) {
        Summary s = new Summary(benchmark, method);
        values.fields().forEachRemaining(e -> s.values.put(e.getKey(), e.getValue()));
        return s;
    }

    @JsonProperty("benchmark")
    public String benchmark() {
        return benchmark;
    }

    @JsonProperty("method")
    public String method() {
        return method;
    }

    @JsonAnyGetter
    public Map<String, JsonNode> values() {
        return values;
    }

    @JsonAnySetter
    void put(String key, JsonNode value) {
        values.put(key, value);
    }

    /** The value at a JSON pointer into the file ({@code /top_acc}, {@code /periods/0910/un}); missing when absent. */
    public JsonNode at(String pointer) {
        return Json.tree(this).at(pointer);
    }
}
