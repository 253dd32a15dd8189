package org.cklbench.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.cklbench.core.run.RunTimings;
import org.cklbench.sweeps.SweepFolder;
import org.cklbench.sweeps.Worker;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code ckl quickstart --profile}: where the quickstart's minutes went. The quickstart's own phases by
 * wall clock (building the world and data, the runs, the site); the runs' CPU seconds by phase, from each
 * run folder's {@code timings.json}; each worker's CPU beyond its runs (JVM start, class loading, idle
 * polling); and the CPU seconds per run by benchmark and method. CPU seconds are the figure to compare: on
 * 2 cores two workers share the machine, and on a machine shared with other work wall time mostly says how
 * long a phase waited.
 */
final class QuickstartProfile {
    private static final ObjectMapper JSON = new ObjectMapper();

    private QuickstartProfile() {
    }

    /** The parent's phases: wall seconds since the last mark, and this process's CPU seconds. */
    static final class Clock {
        private final Map<String, double[]> phases = new LinkedHashMap<>();
        private long wall = System.nanoTime();
        private long cpu = RunTimings.cpuNanos();

        void mark(String phase) {
            long w = System.nanoTime();
            long c = RunTimings.cpuNanos();
            double[] t = phases.computeIfAbsent(phase, k -> new double[2]);
            t[0] += (w - wall) / 1e9;
            t[1] += (c - cpu) / 1e9;
            wall = w;
            cpu = c;
        }
    }

    /** The report, as text. Runs without timings.json (complete before this build, say) are counted apart. */
    static String report(Clock clock, List<Path> runDirs, SweepFolder sweep) throws IOException {
        StringBuilder sb = new StringBuilder("Where the time went (--profile)\n\nquickstart, by wall clock:\n");
        double total = 0;
        for (var e : clock.phases.entrySet()) {
            sb.append(String.format(Locale.ROOT, "  %-52s %7s%n", e.getKey(), clock(e.getValue()[0])));
            total += e.getValue()[0];
        }
        sb.append(String.format(Locale.ROOT, "  %-52s %7s%n", "total (after the JVM started)", clock(total)));

        Map<String, double[]> byPhase = new LinkedHashMap<>();
        Map<String, Map<String, double[]>> byMethod = new TreeMap<>();
        List<String> phaseOrder = new ArrayList<>();
        int timed = 0;
        int untimed = 0;
        double runsCpu = 0;
        for (Path d : runDirs) {
            Path f = d.resolve(RunTimings.FILE);
            if (!Files.isRegularFile(f)) {
                untimed++;
                continue;
            }
            JsonNode t = JSON.readTree(f.toFile());
            timed++;
            runsCpu += t.path("cpu_s").asDouble();
            String key = t.path("benchmark").asText() + " " + t.path("method").asText();
            Map<String, double[]> m = byMethod.computeIfAbsent(key, k -> new LinkedHashMap<>());
            m.computeIfAbsent("runs", k -> new double[1])[0]++;
            m.computeIfAbsent("total", k -> new double[1])[0] += t.path("cpu_s").asDouble();
            for (var it = t.path("phases").fields(); it.hasNext(); ) {
                var p = it.next();
                if (!phaseOrder.contains(p.getKey())) {
                    phaseOrder.add(p.getKey());
                }
                double[] s = byPhase.computeIfAbsent(p.getKey(), k -> new double[2]);
                s[0] += p.getValue().path("cpu_s").asDouble();
                s[1] += p.getValue().path("wall_s").asDouble();
                m.computeIfAbsent(p.getKey(), k -> new double[1])[0] += p.getValue().path("cpu_s").asDouble();
            }
        }
        sb.append(String.format(Locale.ROOT, "%nruns, CPU seconds by phase (%d runs timed%s):%n", timed,
                untimed == 0 ? "" : ", " + untimed + " without timings.json"));
        sb.append(String.format(Locale.ROOT, "  %-28s %9s %6s %9s%n", "phase", "CPU s", "share", "wall s"));
        for (String p : phaseOrder) {
            double[] s = byPhase.get(p);
            sb.append(String.format(Locale.ROOT, "  %-28s %9.1f %5.1f%% %9.1f%n", p, s[0],
                    runsCpu > 0 ? 100 * s[0] / runsCpu : 0, s[1]));
        }
        sb.append(String.format(Locale.ROOT, "  %-28s %9.1f%n", "all runs", runsCpu));

        double workersCpu = 0;
        int workers = 0;
        for (Path w : Worker.timings(sweep)) {
            workersCpu += JSON.readTree(w.toFile()).path("cpu_s").asDouble();
            workers++;
        }
        if (workers > 0 && untimed == 0) {
            sb.append(String.format(Locale.ROOT, "  %-28s %9.1f   (%d workers' CPU %.1f s less their runs')%n",
                    "workers outside runs", workersCpu - runsCpu, workers, workersCpu));
        }

        List<String> cols = new ArrayList<>(List.of("preparation", "load", "train", "evaluate"));
        sb.append(String.format(Locale.ROOT, "%nCPU seconds per run, by benchmark and method (mean over its seeds):%n"));
        StringBuilder head = new StringBuilder(String.format(Locale.ROOT, "  %-30s %4s %8s", "benchmark method", "runs",
                "per run"));
        for (String c : cols) {
            head.append(String.format(Locale.ROOT, " %11s", c));
        }
        sb.append(head).append(String.format(Locale.ROOT, " %8s%n", "all"));
        for (var e : byMethod.entrySet()) {
            Map<String, double[]> m = e.getValue();
            double n = m.get("runs")[0];
            StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "  %-30s %4.0f %8.1f", e.getKey(), n,
                    m.get("total")[0] / n));
            for (String c : cols) {
                line.append(String.format(Locale.ROOT, " %11.1f", m.getOrDefault(c, new double[1])[0] / n));
            }
            sb.append(line).append(String.format(Locale.ROOT, " %8.1f%n", m.get("total")[0]));
        }
        return sb.toString();
    }

    private static String clock(double s) {
        long r = Math.round(s);
        return String.format(Locale.ROOT, "%d:%02d", r / 60, r % 60);
    }
}
