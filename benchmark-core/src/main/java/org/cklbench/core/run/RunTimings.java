package org.cklbench.core.run;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.cklbench.io.AtomicFiles;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where a run's time goes, by phase: wall seconds and the process's CPU seconds (every thread, PyTorch's
 * native ones included: on a machine shared with other work, CPU time is what a phase costs, and wall
 * time what it waited). Written to {@code timings.json} beside the run's files, which no hash, verification
 * or metric reads: the numbers differ on every run and change no result. Phases are added up by name, in the
 * order first seen.
 */
public final class RunTimings {
    /** The file in a run folder. */
    public static final String FILE = "timings.json";
    /** Timings that record nothing (callers that do not profile). */
    public static final RunTimings NONE = new RunTimings(false);

    private static final ObjectMapper JSON = new ObjectMapper();
    private final boolean on;
    private final Map<String, double[]> phases = new LinkedHashMap<>();
    private final Map<String, Long> counts = new LinkedHashMap<>();
    private final long wall0;
    private final long cpu0;
    private final double jvmUptimeAtStart;
    private long wall;
    private long cpu;

    private RunTimings(boolean on) {
        this.on = on;
        wall0 = System.nanoTime();
        cpu0 = cpuNanos();
        wall = wall0;
        cpu = cpu0;
        jvmUptimeAtStart = ManagementFactory.getRuntimeMXBean().getUptime() / 1e3;
    }

    /** Starts the clocks now. */
    public static RunTimings start() {
        return new RunTimings(true);
    }

    /** The process's CPU time in nanoseconds (all threads), or -1 where the JVM cannot tell. */
    public static long cpuNanos() {
        var os = ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
            return sun.getProcessCpuTime();
        }
        return -1;
    }

    /** Adds the time since the last mark (or the start) to {@code phase}. */
    public void mark(String phase) {
        if (!on) {
            return;
        }
        long w = System.nanoTime();
        long c = cpuNanos();
        double[] t = phases.computeIfAbsent(phase, k -> new double[2]);
        t[0] += (w - wall) / 1e9;
        t[1] += (c - cpu) / 1e9;
        counts.merge(phase, 1L, Long::sum);
        wall = w;
        cpu = c;
    }

    /** The phases so far: name → {wall seconds, CPU seconds}. */
    public Map<String, double[]> phases() {
        return phases;
    }

    /** Writes {@code dir/timings.json} atomically; nothing when not recording. */
    public void write(Path dir, Map<String, Object> about) throws IOException {
        if (!on) {
            return;
        }
        ObjectNode o = JSON.createObjectNode();
        about.forEach((k, v) -> o.set(k, JSON.valueToTree(v)));
        o.put("jvm_uptime_at_start_s", round(jvmUptimeAtStart));
        o.put("wall_s", round((wall - wall0) / 1e9));
        o.put("cpu_s", round((cpu - cpu0) / 1e9));
        ObjectNode ph = o.putObject("phases");
        phases.forEach((k, v) -> ph.putObject(k).put("wall_s", round(v[0])).put("cpu_s", round(v[1]))
                .put("count", counts.get(k)));
        AtomicFiles.writeString(dir.resolve(FILE), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(o) + "\n");
    }

    private static double round(double x) {
        return Math.round(x * 1000) / 1000.0;
    }
}
