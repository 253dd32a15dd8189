package org.cklbench.core.run;

import org.cklbench.progress.Progress;
import org.cklbench.runfolder.RunFolder;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.cklbench.io.FileLocks;
import org.cklbench.io.Hashing;
import org.cklbench.core.method.MethodRegistry;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;

/**
 * Turns a {@link RunRequest} into a run folder: resolves the method and the preset, fixes the
 * configuration and its hash (the run id), refuses to mix configurations in one folder, records
 * provenance, and hands over to the benchmark.
 */
public final class Runner {
    private static final ObjectMapper JSON = new ObjectMapper();

    private Runner() {
    }

    public static Map<String, Benchmark> benchmarks() {
        Map<String, Benchmark> out = new TreeMap<>();
        for (Benchmark b : ServiceLoader.load(Benchmark.class, Runner.class.getClassLoader())) {
            out.put(b.id(), b);
        }
        return out;
    }

    public static Benchmark benchmark(String id) {
        Benchmark b = benchmarks().get(id);
        if (b == null) {
            throw new IllegalArgumentException("unknown benchmark '" + id + "'; known: " + String.join(", ", benchmarks().keySet()));
        }
        return b;
    }

    /** The resolved configuration: everything that determines the numbers, nothing that does not. */
    public static ObjectNode config(RunRequest r, Map<String, String> methodParams, RunPlan plan) {
        ObjectNode c = JSON.createObjectNode();
        c.put("benchmark", r.benchmark());
        c.put("method", r.method());
        c.set("method_params", JSON.valueToTree(new TreeMap<>(methodParams)));
        c.put("preset", r.preset());
        c.set("settings", plan.settings());
        c.put("seed", r.seed());
        ObjectNode inputs = c.putObject("inputs");
        plan.inputs().forEach((k, v) -> inputs.put(k, v.toAbsolutePath().normalize().toString()));
        c.put("device", r.device());
        c.put("dtype", r.dtype() == null ? "default" : r.dtype());
        c.put("threads", r.threads());
        return c;
    }

    public static String runId(ObjectNode config) throws IOException {
        String hash = Hashing.sha256(RunFolder.canonical(config)).substring(0, 12);
        return config.get("benchmark").asText() + "_" + config.get("method").asText() + "_"
                + config.get("preset").asText() + "_s" + config.get("seed").asText() + "_" + hash;
    }

    /**
     * Runs into {@code out/<run id>}; or, when {@code out} is itself a run folder and {@code resume}
     * is set, into {@code out} after checking that it holds this very configuration.
     */
    public static RunFolder run(RunRequest r, Path out, boolean resume, MethodRegistry methods, Progress progress)
            throws IOException {
        return run(r, id -> resume && new RunFolder(out).exists() ? out : out.resolve(id), resume, methods, progress);
    }

    /**
     * Runs into exactly {@code dir}, as a sweep task does: starts the run there, continues it when
     * interrupted, returns it when complete. A folder of another configuration is refused.
     */
    public static RunFolder runIn(RunRequest r, Path dir, MethodRegistry methods, Progress progress) throws IOException {
        return run(r, id -> dir, true, methods, progress);
    }

    private static RunFolder run(RunRequest r, java.util.function.Function<String, Path> where, boolean resume,
                                 MethodRegistry methods, Progress progress) throws IOException {
        Benchmark benchmark = benchmark(r.benchmark());
        Map<String, String> params = methods.resolveParams(r.method(), r.methodParams());
        RunRequest resolved = new RunRequest(r.benchmark(), r.method(), params, r.preset(), r.overrides(), r.model(),
                r.data(), r.seed(), r.device(), r.dtype(), r.threads(), r.home());
        RunPlan plan = benchmark.plan(resolved, progress);
        ObjectNode config = config(resolved, params, plan);
        String id = runId(config);
        RunFolder folder = new RunFolder(where.apply(id));
        java.nio.file.Files.createDirectories(folder.dir());
        Path lockFile = folder.dir().resolve(RunFolder.LOCK);
        try (FileLocks.Held lock = FileLocks.tryAcquire(lockFile).orElseThrow(() -> new IllegalStateException(
                folder.dir() + " is being written by process " + FileLocks.holder(lockFile)
                        + " right now; wait for it to end, or stop it, before running this again"));
             Preemption.Scope running = Preemption.enter()) {
            if (folder.exists()) {
                JsonNode old = folder.runJson().get("config");
                if (old == null || !RunFolder.canonical(old).equals(RunFolder.canonical(config))) {
                    throw new IllegalArgumentException(folder.dir() + " holds a run of another configuration ("
                            + (old == null ? "no config" : "id " + runId((ObjectNode) old)) + ", this one is " + id
                            + "); resume it with its own options or choose another --out");
                }
                if (!resume) {
                    throw new IllegalArgumentException(folder.dir() + " already exists" + (folder.complete()
                            ? " and is complete" : " (interrupted)") + "; pass --resume to continue it, or another --out");
                }
                if (folder.complete()) {
                    return folder;
                }
            }
            ObjectNode run = JSON.createObjectNode();
            run.put("id", folder.dir().getFileName().toString());
            run.set("config", config);
            ObjectNode prov = run.putObject("provenance");
            prov.set("software", Provenance.software(r.device(), r.dtype() == null ? "default" : r.dtype()));
            Map<String, String> origins = new LinkedHashMap<>();
            for (String id2 : methods.ids(r.method())) {
                origins.put(id2, methods.origin(id2));
            }
            prov.set("method_origins", JSON.valueToTree(origins));
            ObjectNode inputs = Provenance.inputs(plan.inputs());
            if (folder.exists()) {
                JsonNode before = folder.runJson().path("provenance").path("inputs");
                if (!RunFolder.canonical(before).equals(RunFolder.canonical(inputs))) {
                    throw new IllegalArgumentException(folder.dir() + ": the input files changed since this run started"
                            + " (their SHA-256 differ from run.json); start a new run instead of resuming");
                }
            }
            prov.set("inputs", inputs);
            prov.put("started", folder.exists() ? folder.runJson().path("provenance").path("started").asText()
                    : Instant.now().toString());
            if (folder.exists()) {
                prov.put("resumed", Instant.now().toString());
            }
            folder.writeRunJson(run);
            benchmark.execute(new RunContext(resolved, plan, folder, methods, resume, progress));
            prov.put("finished", Instant.now().toString());
            folder.writeRunJson(run);
            return folder;
        }
    }
}
