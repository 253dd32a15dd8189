package org.cklbench.core.benchmark;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.List;

/**
 * Range checks on a run's resolved settings, named as {@code --set} names them, so an out-of-range
 * value is refused before the run folder exists rather than producing a run that ends "complete"
 * with nothing learnt.
 */
public final class SettingChecks {
    private SettingChecks() {
    }

    /** A whole-number setting that must be present and at least {@code min}. */
    public static long atLeast(JsonNode settings, String key, long min) {
        JsonNode v = settings.get(key);
        if (v == null || !v.canConvertToLong() || !v.isIntegralNumber() || v.asLong() < min) {
            throw new IllegalArgumentException("setting " + key + " = " + v + ": must be a whole number, " + min
                    + " or more");
        }
        return v.asLong();
    }

    /** Like {@link #atLeast} where the setting may be left out. */
    public static void atLeastIfPresent(JsonNode settings, String key, long min) {
        if (settings.has(key)) {
            atLeast(settings, key, min);
        }
    }

    /** A text setting that must be one of {@code values}. */
    public static String oneOf(JsonNode settings, String key, List<String> values) {
        JsonNode v = settings.get(key);
        if (v == null || !v.isTextual() || !values.contains(v.asText())) {
            throw new IllegalArgumentException("setting " + key + " = " + v + ": must be one of " + values);
        }
        return v.asText();
    }
}
