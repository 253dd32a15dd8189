package org.cklbench.sweeps;

import org.cklbench.core.run.RunRequest;
import org.cklbench.runfolder.RunConfig;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One run of a sweep: what the grid asks for (passed to {@code ckl run} as text), its resolved
 * configuration, whose hash is the run id, the same that {@code ckl run} computes for it, and the
 * cost its grid declares (relative to the other runs; it orders a local sweep's queue).
 */
public record SweepEntry(RunRequest request, RunConfig config, double cost) {

    /** An entry of the default cost, 1. */
    public SweepEntry(RunRequest request, RunConfig config) {
        this(request, config, 1);
    }

    /**
     * The same run computed on {@code threads} threads: the thread count is no part of the
     * configuration (the arithmetic is pinned), so the id stays.
     */
    public SweepEntry withThreads(int threads) {
        RunRequest r = request;
        return new SweepEntry(new RunRequest(r.benchmark(), r.method(), r.methodParams(), r.preset(), r.overrides(),
                r.model(), r.data(), r.seed(), r.device(), r.dtype(), threads), config, cost);
    }

    /** {@code <benchmark>_<method>_<preset>_s<seed>_<hash>}: the name of the run's folder. */
    public String id() {
        return config.id();
    }

    public String device() {
        return config.device();
    }

    /** The arguments of {@code ckl} that run this entry into {@code runDir} (resuming it there if interrupted). */
    public List<String> runArgs(Path runDir, Path plugins) {
        RunRequest r = request;
        List<String> a = new ArrayList<>(List.of("run", "--benchmark", r.benchmark(), "--method", r.method(), "--preset",
                r.preset(), "--seed", Long.toString(r.seed())));
        if (r.model() != null) {
            a.addAll(List.of("--model", r.model().toString()));
        }
        if (r.data() != null) {
            a.addAll(List.of("--data", r.data().toString()));
        }
        for (Map.Entry<String, String> e : r.methodParams().entrySet()) {
            a.addAll(List.of("--param", e.getKey() + "=" + e.getValue()));
        }
        for (Map.Entry<String, String> e : r.overrides().entrySet()) {
            a.addAll(List.of("--set", e.getKey() + "=" + e.getValue()));
        }
        a.addAll(List.of("--device", r.device()));
        if (r.dtype() != null) {
            a.addAll(List.of("--dtype", r.dtype()));
        }
        if (r.threads() > 0) {
            a.addAll(List.of("--threads", Integer.toString(r.threads())));
        }
        if (plugins != null) {
            a.addAll(List.of("--plugins", plugins.toString()));
        }
        a.addAll(List.of("--run-dir", runDir.toString()));
        return a;
    }
}
