package org.cklbench.core.run;

import org.cklbench.core.benchmark.Benchmark;
import org.cklbench.core.benchmark.BenchmarkInputs;
import org.cklbench.core.benchmark.InputRequest;
import org.cklbench.core.method.ParamSpec;
import org.cklbench.core.method.ResolvedMethod;
import org.cklbench.core.plugin.Registries;
import org.cklbench.core.train.Trainer;
import org.cklbench.engine.djl.PyTorchEngine;
import org.cklbench.io.FileLocks;
import org.cklbench.progress.Progress;
import org.cklbench.runfolder.InputFiles;
import org.cklbench.runfolder.Json;
import org.cklbench.runfolder.MethodInfo;
import org.cklbench.runfolder.RunConfig;
import org.cklbench.runfolder.RunFolder;
import org.cklbench.runfolder.RunProvenance;
import org.cklbench.runfolder.RunRecord;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Turns a {@link RunRequest} into a run folder: resolves it ({@link ResolvedRun}: the configuration
 * and its hash, the run id), finds or makes the benchmark's inputs, runs the methods' preparations,
 * refuses to mix configurations or changed inputs in one folder, records provenance, and hands over
 * to the {@link StageLoop}.
 */
public final class Runner {
    private Runner() {
    }

    /**
     * Runs into {@code out/<run id>}; or, when {@code out} is itself a run folder and {@code resume}
     * is set, into {@code out} after checking that it holds this very configuration.
     */
    public static RunFolder run(RunRequest r, Path out, boolean resume, Registries registries, Path home,
                                Progress progress) throws IOException {
        return run(r, id -> resume && new RunFolder(out).exists() ? out : out.resolve(id), resume, registries, home,
                progress, null, 0);
    }

    /**
     * Runs into exactly {@code dir}, as a sweep task does: starts the run there, continues it when
     * interrupted, returns it when complete. A folder of another configuration is refused.
     */
    public static RunFolder runIn(RunRequest r, Path dir, Registries registries, Path home, Progress progress)
            throws IOException {
        return run(r, id -> dir, true, registries, home, progress, null, 0);
    }

    /**
     * Runs a recorded run's configuration again into {@code dir} (resuming it there if interrupted),
     * after checking that it still resolves to that configuration and that every input file and every
     * plugin jar has its recorded SHA-256; each one that differs or is missing is named. Stops after
     * stage {@code stopAfter} (0: runs every stage).
     */
    public static RunFolder rerun(RunRecord recorded, Path dir, Registries registries, Path home, Progress progress,
                                  int stopAfter) throws IOException {
        return rerun(recorded, RerunInputs.HOME, dir, registries, home, progress, stopAfter);
    }

    /** {@link #rerun(RunRecord, Path, Registries, Path, Progress, int)} reading the maintainer's own inputs {@code own}. */
    public static RunFolder rerun(RunRecord recorded, RerunInputs own, Path dir, Registries registries, Path home,
                                  Progress progress, int stopAfter) throws IOException {
        if (recorded.config() == null) {
            throw new IllegalArgumentException("run.json holds no configuration to run again");
        }
        if (Files.exists(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            // a run again starts from nothing: resuming there could hand back the very run being checked
            throw new IllegalArgumentException(dir + " already exists; run it again into another folder (--out)");
        }
        return run(Rerun.request(recorded.config(), own, registries), id -> dir, true, registries, home, progress, recorded, stopAfter);
    }

    /** Files a method's parameters name (a Train-Attention folder, say): inputs like the data, hashed into provenance. */
    static Map<String, Path> pathParameters(ResolvedMethod method, Registries registries) {
        Map<String, Path> out = new LinkedHashMap<>();
        method.parts().forEach((id, params) -> {
            for (ParamSpec p : registries.methods().provider(id).parameters()) {
                Object v = params.asMap().get(p.name());
                if (p.kind() == ParamSpec.Kind.PATH && v != null && !v.equals(p.special())) {
                    out.put(id + "." + p.name(), Path.of(v.toString()));
                }
            }
        });
        return out;
    }

    private static RunFolder run(RunRequest r, Function<String, Path> where, boolean resume, Registries registries,
                                 Path home, Progress progress, RunRecord expected, int stopAfter) throws IOException {
        RunTimings timings = RunTimings.start();
        ResolvedRun resolved = ResolvedRun.of(r, registries);
        RunConfig config = resolved.config();
        if (expected != null) {
            Rerun.checkConfig(expected.config(), config, Rerun.pathParams(expected.config(), registries));
        }
        Benchmark benchmark = resolved.benchmark();
        PyTorchEngine.initForResults();
        BenchmarkInputs in = benchmark.inputs(new InputRequest(config.preset(), resolved.settings(), r.model(), r.data(),
                home), progress);
        // the model folder's shape and the sizes it can hold, before anything in it is hashed or prepared
        ModelBounds.check(in.model(), resolved.settings());
        timings.mark("inputs");
        Map<String, Path> inputs = new LinkedHashMap<>(in.files());
        inputs.putAll(pathParameters(resolved.method(), registries));
        Map<String, Path> prepared = Preparations.run(resolved.method(), registries.methods(), benchmark, in,
                config.device(), home, inputs, progress);
        ResolvedMethod method = resolved.method().withPrepared(prepared);
        timings.mark("preparation");

        // every input exists and is read once before the folder is made, so a missing file leaves nothing behind
        Map<String, InputFiles> hashes = Provenance.inputs(inputs, Provenance.hashCache(home));
        if (expected != null) {
            Rerun.checkInputs(expected, hashes, registries, benchmark.id(), method.ids());
        }
        timings.mark("input_hashes");
        String id = config.id();
        RunFolder folder = new RunFolder(where.apply(id));
        Files.createDirectories(folder.dir());
        Path lockFile = folder.dir().resolve(RunFolder.LOCK);
        try (FileLocks.Held lock = FileLocks.tryAcquire(lockFile).orElseThrow(() -> new IllegalStateException(
                folder.dir() + " is being written by process " + FileLocks.holder(lockFile)
                        + " right now; wait for it to end, or stop it, before running this again"));
             Preemption.Scope running = Preemption.enter()) {
            RunRecord before = folder.exists() ? folder.run() : null;
            if (before != null) {
                if (before.config() == null || !Json.canonical(before.config()).equals(Json.canonical(config))) {
                    throw new IllegalArgumentException(folder.dir() + " holds a run of another configuration ("
                            + (before.config() == null ? "no config" : "id " + before.config().id()) + ", this one is " + id
                            + "); resume it with its own options or choose another --out");
                }
                if (neverTrained(folder)) {
                    // it failed or stopped before its first evaluation or checkpoint: nothing in it to keep,
                    // so it is started afresh, whatever its inputs were (say, data fixed in place since)
                    before = null;
                }
            }
            if (before != null) {
                if (!resume) {
                    throw new IllegalArgumentException(folder.dir() + " already exists" + (folder.complete()
                            ? " and is complete" : " (interrupted)") + "; pass --resume to continue it, or another --out");
                }
                // before a complete folder is handed back: its results are of the inputs it recorded
                checkSameInputs(folder, before, hashes);
                if (folder.complete()) {
                    return folder;
                }
            }
            Map<String, String> origins = new LinkedHashMap<>();
            List<MethodInfo> infos = new ArrayList<>();
            for (String m : method.ids()) {
                origins.put(m, registries.methods().origin(m));
                infos.add(registries.methods().info(m));
            }
            String now = Instant.now().toString();
            String started = before != null && before.provenance() != null && before.provenance().started() != null
                    ? before.provenance().started() : now;
            // plugin jars only: the suite's own jars change with every build, and their commit is recorded
            Map<String, String> code = Provenance.codeSha256(registries.pluginOrigins(benchmark.id(), method.ids()));
            RunProvenance prov = new RunProvenance(Provenance.software(config.device(), config.dtype()),
                    registries.benchmarks().origin(benchmark.id()), origins, code, hashes, started,
                    before != null ? now : null, null);
            RunRecord record = new RunRecord(folder.dir().getFileName().toString(), config, prov, infos, method.variant(),
                    before != null ? before.training() : null);
            folder.writeRun(record);
            folder.writeBenchmarkSpec(benchmark.leaderboard());
            timings.mark("records");
            StageLoop.run(new RunContext(config, benchmark, inputs, method, registries.methods(), folder, resume, progress,
                    stopAfter), timings);
            if (stopAfter > 0 && !folder.complete()) {
                return folder;
            }
            // the loop has added what the training set up
            folder.writeRun(folder.run().withProvenance(prov.withFinished(Instant.now().toString())));
            timings.mark("records");
            Map<String, Object> about = new LinkedHashMap<>();
            about.put("benchmark", config.benchmark());
            about.put("method", config.method());
            about.put("seed", config.seed());
            about.put("threads", config.threads());
            about.put("resumed", before != null);
            timings.write(folder.dir(), about);
            return folder;
        }
    }

    /** Refuses a folder made of other input files than {@code now}, naming each file that differs. */
    private static void checkSameInputs(RunFolder folder, RunRecord before, Map<String, InputFiles> now) {
        if (before.provenance() == null || before.provenance().inputs() == null) {
            throw new IllegalArgumentException(folder.dir().resolve(RunFolder.RUN) + " records no input files, so"
                    + " whether it was made of these inputs is unknown; run into a new folder (another --out or"
                    + " --run-dir), or remove " + folder.dir() + " to run it again");
        }
        List<String> changed = InputChanges.between(before.provenance().inputs(), now);
        if (!changed.isEmpty()) {
            throw new IllegalArgumentException(folder.dir() + " was " + (folder.complete() ? "made" : "started")
                    + " from other input files than these (SHA-256 differ from its run.json): "
                    + String.join("; ", changed.subList(0, Math.min(changed.size(), 5)))
                    + (changed.size() > 5 ? "; and " + (changed.size() - 5) + " more" : "")
                    + ". Its results are not of these inputs: run into a new folder (another --out or --run-dir),"
                    + " or remove " + folder.dir() + " to run it again");
        }
    }

    private static boolean neverTrained(RunFolder folder) throws IOException {
        return !folder.complete() && folder.metrics().isEmpty() && !Trainer.hasCheckpoint(folder.checkpoint());
    }
}
