package org.cklbench.core.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.Map;

/** Preset settings with the user's {@code --set key=value} applied, typed like the preset's values. */
public final class Settings {
    private Settings() {
    }

    public static ObjectNode override(ObjectNode preset, Map<String, String> overrides) {
        ObjectNode out = preset.deepCopy();
        for (Map.Entry<String, String> e : overrides.entrySet()) {
            JsonNode old = out.get(e.getKey());
            if (old == null) {
                throw new IllegalArgumentException("--set " + e.getKey() + ": no such setting (settings: "
                        + String.join(", ", (Iterable<String>) out::fieldNames) + ")");
            }
            String v = e.getValue();
            try {
                if (old.isBoolean()) {
                    if (!v.equals("true") && !v.equals("false")) {
                        throw new IllegalArgumentException("expected true or false");
                    }
                    out.put(e.getKey(), Boolean.parseBoolean(v));
                } else if (old.isIntegralNumber()) {
                    out.put(e.getKey(), Integer.parseInt(v));
                } else if (old.isNumber()) {
                    out.put(e.getKey(), Double.parseDouble(v));
                } else {
                    out.put(e.getKey(), v);
                }
            } catch (IllegalArgumentException ex) {
                throw new IllegalArgumentException("--set " + e.getKey() + "=" + v + ": " + ex.getMessage()
                        + " (the preset's value is " + old + ")");
            }
        }
        return out;
    }
}
