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

/**
 * Turns a {@link RunRequest} into a run folder: resolves it ({@link ResolvedRun}: the configuration
 * and its hash, the run id), finds or makes the benchmark's inputs, runs the methods' preparations,
 * refuses to mix configurations or changed inputs in one folder, records provenance, and hands over
 * to the {@link StageLoop}.
 */
public final class Runner {
    private Runner() {
    }

    /** What a call asks of an existing folder of its run. */
    public sealed interface Mode {
        /** A new run: a folder that holds one already is refused (unless it never trained). */
        record Fresh() implements Mode {
        }

        /** Starts the run, continues it when interrupted, hands it back when complete. */
        record Resume() implements Mode {
        }

        /**
         * A recorded run run again to check it: it must resolve to {@code expected}'s configuration and inputs;
         * stops after stage {@code stopAfter} (0: runs every stage).
         */
        record Verify(RunRecord expected, int stopAfter) implements Mode {
        }
    }

    /** Where a run's folder is, given its id. */
    public sealed interface FolderPolicy {
        Path folder(String runId);

        /** {@code out/<run id>}. */
        record UnderOut(Path out) implements FolderPolicy {
            @Override
            public Path folder(String runId) {
                return out.resolve(runId);
            }
        }

        /** {@code out} itself when it is a run folder (the one being resumed), else {@code out/<run id>}. */
        record OutOrUnderOut(Path out) implements FolderPolicy {
            @Override
            public Path folder(String runId) {
                return new RunFolder(out).exists() ? out : out.resolve(runId);
            }
        }

        /** Exactly {@code dir}, whatever the id (a sweep's task folder, a verification's scratch folder). */
        record Exactly(Path dir) implements FolderPolicy {
            @Override
            public Path folder(String runId) {
                return dir;
            }
        }
    }

    /**
     * Runs into {@code out/<run id>}; or, when {@code out} is itself a run folder and {@code resume}
     * is set, into {@code out} after checking that it holds this very configuration.
     */
    public static RunFolder run(RunRequest r, Path out, boolean resume, Registries registries, Path home,
                                Progress progress) throws IOException {
        return run(r, resume ? new Mode.Resume() : new Mode.Fresh(),
                resume ? new FolderPolicy.OutOrUnderOut(out) : new FolderPolicy.UnderOut(out), registries, home, progress);
    }

    /**
     * Runs into exactly {@code dir}, as a sweep task does: starts the run there, continues it when
     * interrupted, returns it when complete. A folder of another configuration is refused.
     */
    public static RunFolder runIn(RunRequest r, Path dir, Registries registries, Path home, Progress progress)
            throws IOException {
        return run(r, new Mode.Resume(), new FolderPolicy.Exactly(dir), registries, home, progress);
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
        return run(Rerun.request(recorded.config(), own, registries), new Mode.Verify(recorded, stopAfter),
                new FolderPolicy.Exactly(dir), registries, home, progress);
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

    /**
     * Resolves the run, then takes its folder's lock and looks at what the folder holds before anything
     * costly: a complete run whose recorded inputs are unchanged is handed back without its inputs being
     * made, prepared or hashed again.
     */
    private static RunFolder run(RunRequest r, Mode mode, FolderPolicy where, Registries registries, Path home,
                                 Progress progress) throws IOException {
        RunTimings timings = RunTimings.start();
        ResolvedRun resolved = ResolvedRun.of(r, registries);
        RunConfig config = resolved.config();
        if (mode instanceof Mode.Verify v) {
            Rerun.checkConfig(v.expected().config(), config, Rerun.pathParams(v.expected().config(), registries));
        }
        String id = config.id();
        RunFolder folder = new RunFolder(where.folder(id));
        Path made = firstMissing(folder.dir().toAbsolutePath().normalize());
        Files.createDirectories(folder.dir());
        Path lockFile = folder.dir().resolve(RunFolder.LOCK);
        try (FileLocks.Held lock = FileLocks.tryAcquire(lockFile).orElseThrow(() -> new IllegalStateException(
                folder.dir() + " is being written by process " + FileLocks.holder(lockFile)
                        + " right now; wait for it to end, or stop it, before running this again"))) {
            try {
                return locked(new Call(r, mode, registries, home, progress), resolved, folder, timings);
            } catch (IOException | RuntimeException | Error e) {
                if (made != null) {
                    // a run that fails before writing anything (a missing input, say) leaves no folder behind
                    removeIfOnlyLock(folder.dir().toAbsolutePath().normalize(), lockFile, made);
                }
                throw e;
            }
        }
    }

    /** What one call asks for. */
    private record Call(RunRequest request, Mode mode, Registries registries, Path home, Progress progress) {
    }

    /** The rest of a run, its folder locked. */
    private static RunFolder locked(Call call, ResolvedRun resolved, RunFolder folder, RunTimings timings)
            throws IOException {
        RunRequest r = call.request();
        Mode mode = call.mode();
        Registries registries = call.registries();
        Path home = call.home();
        Progress progress = call.progress();
        RunConfig config = resolved.config();
        RunRecord before = existing(folder, config);
        if (before != null) {
            if (mode instanceof Mode.Fresh) {
                throw new IllegalArgumentException(folder.dir() + " already exists" + (folder.complete()
                        ? " and is complete" : " (interrupted)") + "; pass --resume to continue it, or another --out");
            }
            if (folder.complete() && recordedInputsUnchanged(before, home)) {
                return folder;
            }
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

        Map<String, InputFiles> hashes = Provenance.inputs(inputs, Provenance.hashCache(home));
        if (mode instanceof Mode.Verify v) {
            Rerun.checkInputs(v.expected(), hashes, registries, benchmark.id(), method.ids());
        }
        timings.mark("input_hashes");
        if (before != null) {
            // before a complete folder is handed back: its results are of the inputs it recorded
            checkSameInputs(folder, before, hashes);
            if (folder.complete()) {
                return folder;
            }
        }
        // from here a stop request (SIGTERM) waits for the loop's checkpoint; before, the process just ends
        try (Preemption.Scope running = Preemption.enter()) {
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
            int stopAfter = mode instanceof Mode.Verify v ? v.stopAfter() : 0;
            StageLoop.run(new RunContext(config, benchmark, inputs, method, registries.methods(), folder,
                    !(mode instanceof Mode.Fresh), progress, stopAfter), timings);
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

    /**
     * The run the folder holds already, or null when it holds none or one that never trained (it failed or
     * stopped before its first evaluation or checkpoint: nothing in it to keep, so it is started afresh,
     * whatever its inputs were, say data fixed in place since). A run of another configuration is refused.
     */
    private static RunRecord existing(RunFolder folder, RunConfig config) throws IOException {
        if (!folder.exists()) {
            return null;
        }
        RunRecord before = folder.run();
        if (before.config() == null || !Json.canonical(before.config()).equals(Json.canonical(config))) {
            throw new IllegalArgumentException(folder.dir() + " holds a run of another configuration ("
                    + (before.config() == null ? "no config" : "id " + before.config().id()) + ", this one is "
                    + config.id() + "); resume it with its own options or choose another --out");
        }
        return neverTrained(folder) ? null : before;
    }

    /**
     * Whether every input file the complete run recorded is still where it was, with the same contents: then
     * the run is handed back at once. When not (moved, changed), the inputs are made as for a new run and
     * compared, which names what changed.
     */
    private static boolean recordedInputsUnchanged(RunRecord before, Path home) throws IOException {
        if (before.provenance() == null || before.provenance().inputs() == null) {
            return false;
        }
        Map<String, Path> recorded = new LinkedHashMap<>();
        for (Map.Entry<String, InputFiles> e : before.provenance().inputs().entrySet()) {
            if (e.getValue().path() == null || !Files.exists(Path.of(e.getValue().path()))) {
                return false;
            }
            recorded.put(e.getKey(), Path.of(e.getValue().path()));
        }
        return InputChanges.between(before.provenance().inputs(),
                Provenance.inputs(recorded, Provenance.hashCache(home))).isEmpty();
    }

    /** The outermost folder of {@code dir}'s path that does not exist yet ({@code dir} itself, or above it); null when it exists. */
    private static Path firstMissing(Path dir) {
        Path missing = null;
        for (Path p = dir; p != null && !Files.exists(p, java.nio.file.LinkOption.NOFOLLOW_LINKS); p = p.getParent()) {
            missing = p;
        }
        return missing;
    }

    /**
     * Removes the run folder this call made when it holds nothing but its lock file, and the folders above it
     * up to {@code top} that this call made too and that are now empty.
     */
    private static void removeIfOnlyLock(Path dir, Path lockFile, Path top) {
        try {
            try (var entries = Files.list(dir)) {
                if (!entries.allMatch(lockFile.toAbsolutePath().normalize()::equals)) {
                    return;
                }
            }
            Files.deleteIfExists(lockFile);
            for (Path p = dir; p != null && p.startsWith(top); p = p.getParent()) {
                try (var entries = Files.list(p)) {
                    if (entries.findAny().isPresent()) {
                        return;
                    }
                }
                Files.delete(p);
            }
        } catch (IOException ignored) {
            // best effort: the run's own error is the one to report
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
