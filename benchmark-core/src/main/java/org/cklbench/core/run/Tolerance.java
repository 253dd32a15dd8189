package org.cklbench.core.run;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * How far a metric may move when a run is verified off its own machine: one absolute bound for every
 * metric, and bounds for named ones ({@code --tolerance 1e-4 --tolerance to_learn_nll=1e-3}).
 */
public record Tolerance(double all, Map<String, Double> perMetric) {
    public Tolerance {
        check(all, "tolerance");
        perMetric.forEach((k, v) -> check(v, "tolerance of " + k));
        perMetric = Map.copyOf(perMetric);
    }

    /** From {@code --tolerance} values: a number (for every metric), or {@code metric=number}; the last wins. */
    public static Tolerance parse(List<String> specs, double fallback) {
        double all = fallback;
        Map<String, Double> per = new TreeMap<>();
        for (String spec : specs) {
            int eq = spec.indexOf('=');
            try {
                if (eq < 0) {
                    all = Double.parseDouble(spec.trim());
                } else {
                    String metric = spec.substring(0, eq).trim();
                    if (!metric.matches("[A-Za-z0-9_.-]+")) {
                        throw new IllegalArgumentException("--tolerance " + spec + ": '" + metric + "' is not a metric name");
                    }
                    per.put(metric, Double.parseDouble(spec.substring(eq + 1).trim()));
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--tolerance " + spec + ": not a number (give 1e-4 or metric=1e-4)");
            }
        }
        return new Tolerance(all, per);
    }

    public double of(String metric) {
        return perMetric.getOrDefault(metric, all);
    }

    private static void check(double v, String what) {
        if (!(v >= 0) || Double.isInfinite(v)) {
            throw new IllegalArgumentException(what + " " + v + " must be a finite number, 0 or more");
        }
    }
}
