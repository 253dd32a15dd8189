package org.cklbench.core.benchmark;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A benchmark's presets, read from a JSON resource (comments allowed, so that each choice carries its
 * reason beside it): by name, a description, the settings of the run (every hyperparameter; the
 * user's {@code --set} overrides any of them) and defaults for method parameters at this scale.
 *
 * <pre>{"quick": {"description": "...", "settings": {"epochs": 6, ...},
 *            "method_defaults": {"taalm": {"ta_epochs": 3, ...}}}, ...}</pre>
 */
public final class Presets {
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(JsonReadFeature.ALLOW_JAVA_COMMENTS)
            .enable(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    /** One preset. */
    public record Preset(String name, String description, ObjectNode settings,
                         Map<String, Map<String, String>> methodDefaults) {
        /**
         * The settings with {@code overrides} applied, each parsed as the type of the preset's value
         * (integer, number, boolean or text); an unknown key or a value of the wrong type is an error.
         */
        public ObjectNode settings(Map<String, String> overrides) {
            ObjectNode out = settings.deepCopy();
            for (Map.Entry<String, String> e : overrides.entrySet()) {
                JsonNode old = out.has(e.getKey()) ? out.get(e.getKey()) : OPTIONAL.get(e.getKey());
                if (old == null) {
                    throw new IllegalArgumentException("--set " + e.getKey() + ": no such setting (settings of preset "
                            + name + ": " + String.join(", ", (Iterable<String>) out::fieldNames) + ")");
                }
                String v = e.getValue().strip();
                try {
                    if (old.isBoolean()) {
                        if (!v.equals("true") && !v.equals("false")) {
                            throw new IllegalArgumentException("expected true or false");
                        }
                        out.put(e.getKey(), Boolean.parseBoolean(v));
                    } else if (old.isIntegralNumber()) {
                        out.put(e.getKey(), new java.math.BigDecimal(v).intValueExact());
                    } else if (old.isNumber()) {
                        double d = Double.parseDouble(v);
                        if (!Double.isFinite(d)) {
                            throw new IllegalArgumentException("expected a finite number");
                        }
                        out.put(e.getKey(), d);
                    } else {
                        out.put(e.getKey(), v);
                    }
                } catch (ArithmeticException | IllegalArgumentException ex) {
                    throw new IllegalArgumentException("--set " + e.getKey() + "=" + e.getValue() + ": "
                            + (ex.getMessage() == null || ex instanceof NumberFormatException ? "not a " + kind(old) : ex.getMessage())
                            + " (the preset's value is " + old + ")");
                }
            }
            return out;
        }

        /**
         * Settings a preset may leave out, with the value they then have: a --set may still give them, and a
         * run that does not has the same settings, hence the same id, as before they existed.
         */
        private static final Map<String, JsonNode> OPTIONAL = Map.of("loss",
                com.fasterxml.jackson.databind.node.TextNode.valueOf("tokens"));

        private static String kind(JsonNode n) {
            return n.isIntegralNumber() ? "whole number" : n.isNumber() ? "number" : "value of that kind";
        }
    }

    private final String benchmark;
    private final Map<String, Preset> presets;

    private Presets(String benchmark, Map<String, Preset> presets) {
        this.benchmark = benchmark;
        this.presets = presets;
    }

    /** Reads the resource {@code name} next to {@code owner}'s class file. */
    public static Presets fromResource(String benchmark, Class<?> owner, String name) {
        try (InputStream in = owner.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException(owner.getName() + ": resource " + name + " is missing");
            }
            return parse(benchmark, JSON.readTree(in), owner.getName() + ":" + name);
        } catch (IOException e) {
            throw new UncheckedIOException(owner.getName() + ": resource " + name + " is not valid JSON: " + e.getMessage(), e);
        }
    }

    static Presets parse(String benchmark, JsonNode root, String where) {
        if (root == null || !root.isObject() || root.isEmpty()) {
            throw new IllegalStateException(where + ": presets must be an object of name: preset");
        }
        Map<String, Preset> out = new LinkedHashMap<>();
        root.fields().forEachRemaining(e -> {
            JsonNode p = e.getValue();
            if (!e.getKey().matches("[a-z0-9][a-z0-9_-]*") || !p.path("settings").isObject()) {
                throw new IllegalStateException(where + ": preset '" + e.getKey() + "' needs a lower-case name and a settings object");
            }
            Map<String, Map<String, String>> defaults = new TreeMap<>();
            p.path("method_defaults").fields().forEachRemaining(m -> {
                Map<String, String> values = new TreeMap<>();
                m.getValue().fields().forEachRemaining(v -> values.put(v.getKey(), v.getValue().asText()));
                defaults.put(m.getKey(), values);
            });
            out.put(e.getKey(), new Preset(e.getKey(), p.path("description").asText(""),
                    (ObjectNode) p.get("settings"), defaults));
        });
        return new Presets(benchmark, out);
    }

    public List<String> names() {
        return new ArrayList<>(presets.keySet());
    }

    public Preset get(String name) {
        Preset p = presets.get(name);
        if (p == null) {
            throw new IllegalArgumentException(benchmark + " has no preset '" + name + "' (" + String.join(", ", names()) + ")");
        }
        return p;
    }
}
