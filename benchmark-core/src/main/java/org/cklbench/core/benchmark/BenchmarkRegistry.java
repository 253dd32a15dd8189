package org.cklbench.core.benchmark;

import java.util.Map;
import java.util.TreeMap;

/** Every {@link Benchmark} visible to a class loader (built-in and plugin jars), by id. */
public final class BenchmarkRegistry {
    private final Map<String, Benchmark> benchmarks;

    private BenchmarkRegistry(Map<String, Benchmark> benchmarks) {
        this.benchmarks = benchmarks;
    }

    public static BenchmarkRegistry load(ClassLoader loader) {
        Map<String, Benchmark> found = new TreeMap<>();
        for (Benchmark b : java.util.ServiceLoader.load(Benchmark.class, loader)) {
            String id = b.id();
            if (id == null || !id.matches("[a-z0-9][a-z0-9_-]*")) {
                throw new IllegalStateException("benchmark id '" + id + "' of " + b.getClass().getName()
                        + " must be lower case letters, digits, '-' or '_'");
            }
            Benchmark clash = found.putIfAbsent(id, b);
            if (clash != null && clash.getClass() != b.getClass()) {
                throw new IllegalStateException("two benchmarks claim id '" + id + "': " + clash.getClass().getName()
                        + " and " + b.getClass().getName());
            }
            if (!b.leaderboard().benchmark().equals(id)) {
                throw new IllegalStateException("benchmark '" + id + "' declares a leaderboard for '"
                        + b.leaderboard().benchmark() + "'");
            }
        }
        return new BenchmarkRegistry(found);
    }

    public Map<String, Benchmark> benchmarks() {
        return benchmarks;
    }

    public Benchmark get(String id) {
        Benchmark b = benchmarks.get(id);
        if (b == null) {
            throw new IllegalArgumentException("unknown benchmark '" + id + "'; known: " + String.join(", ", benchmarks.keySet())
                    + " (plugins are loaded with --plugins DIR)");
        }
        return b;
    }

    /** Where a benchmark's class came from: "built-in" or the jar's path. */
    public String origin(String id) {
        var src = get(id).getClass().getProtectionDomain().getCodeSource();
        return src == null ? "built-in" : src.getLocation().toString();
    }
}
