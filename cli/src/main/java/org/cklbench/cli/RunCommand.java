package org.cklbench.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.cklbench.core.plugin.Registries;
import org.cklbench.core.run.RunRequest;
import org.cklbench.core.run.ResolvedRun;
import org.cklbench.core.run.Runner;
import org.cklbench.runfolder.Json;
import org.cklbench.runfolder.RunFolder;
import org.cklbench.runfolder.RunRecord;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "run", mixinStandardHelpOptions = true, sortOptions = false,
        header = "Run one method on one benchmark into a run folder.",
        description = {"The run folder is <out>/<benchmark>_<method>_<preset>_s<seed>_<hash>, holding run.json"
            + " (configuration and provenance), metrics.jsonl, summary.json and predictions/. Run again with the same"
            + " options, a complete run's summary is printed again (exit 0); an interrupted one needs --resume.",
            "Built-in presets: smoke (seconds, generated data and a tiny model), quick (the embedded default), paper"
            + " (the reference hyperparameters, for real checkpoints on a GPU); ckl benchmarks lists every benchmark's."})
final class RunCommand implements Callable<Integer> {
    /** Either a configuration given option by option, or a recorded one (--from): picocli checks which. */
    @ArgGroup(exclusive = true, multiplicity = "1")
    What what;

    static final class What {
        @ArgGroup(exclusive = false, multiplicity = "1")
        Fresh fresh;

        @Option(names = "--from", required = true, paramLabel = "RUN_DIR|run.json", description = {"Run a"
            + " recorded run's configuration again (instead of --benchmark, --method, --preset and the rest; its device,"
            + " dtype and threads too) into a new folder under --out, after checking every input file and plugin jar"
            + " against its recorded SHA-256; each one that differs or is missing is named. Its paths are never opened:"
            + " the inputs are --model, --data, --ta and --param (folders for path parameters), or the preset's from"
            + " CKL_HOME."})
        Path from;
    }

    static final class Fresh {
        @Option(names = "--benchmark", required = true, description = BenchmarkPreset.BENCHMARK)
        String benchmark;

        @Option(names = "--method", required = true,
                description = "A method id (see ckl methods), or ids joined by '+' to compose.")
        String method;

        @Option(names = "--preset", required = true, description = BenchmarkPreset.PRESET)
        String preset;
    }

    @Mixin
    RunInputs inputs;

    @Option(names = "--out", defaultValue = "runs", description = "Folder of run folders, or with --resume a run folder (default: ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--resume", description = "Continue an interrupted run from its last checkpoint (same options): the end"
        + " of an epoch or period, or the step where it was stopped with SIGTERM or Ctrl-C.")
    boolean resume;

    @Option(names = "--run-dir", description = "Run into exactly this folder instead of one named under --out (what sweep"
        + " tasks do): starts the run, continues it if interrupted, returns it if complete.")
    Path runDir;

    @Option(names = "--param", paramLabel = "NAME=VALUE", description = "A method parameter (repeatable); <method>.<name> for"
        + " composed methods, and left out where the method is not in the spec.")
    Map<String, String> params = new LinkedHashMap<>();

    @Mixin
    SettingOverrides overrides;

    @Option(names = "--full", description = "Train every weight instead of a LoRA adapter (same as --set full=true).")
    boolean full;

    @Mixin
    PluginOptions plugins;

    @Option(names = "--ta", description = "A Train-Attention model folder for taalm: the same as --param taalm.ta=DIR, so"
        + " ignored by methods without taalm (one command line serves a loop over methods).")
    Path ta;

    @Mixin
    EngineOptions engine;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (what.from != null) {
            return again();
        }
        Map<String, String> sets = new LinkedHashMap<>(overrides.settings());
        if (full) {
            sets.put("full", "true");
        }
        if (ta != null) {
            params.put("taalm.ta", ta.toString());
        }
        Registries registries = plugins.registries();
        Path model = inputs.model;
        Path data = inputs.data;
        RunRequest req = new RunRequest(what.fresh.benchmark, what.fresh.method, params, what.fresh.preset, sets, model,
                data, inputs.seed, engine.device, engine.dtype, engine.threads());
        // a path that names nothing, the root, or a file for a folder is a failure (1), like every other problem
        // with files and folders; the rest of what resolving refuses (an unknown id, preset, setting or device) is
        // a usage error (2)
        ResolvedRun.path(model, "model");
        ResolvedRun.path(data, "data");
        String id;
        try {
            id = ResolvedRun.of(req, registries).config().id();
        } catch (IllegalArgumentException e) {
            throw new UsageError(e.getMessage(), e);
        }
        RunFolder folder;
        if (runDir != null) {
            folder = Runner.runIn(req, runDir, registries, Home.get(), new BarProgress());
        } else {
            if (Files.exists(out) && !Files.isDirectory(out)) {
                throw new IllegalArgumentException("--out " + out + " is a file; give a folder (it is made if missing)");
            }
            // the same command again after the run completed (a set -e loop run twice) prints its summary;
            // the Runner still refuses a folder of another configuration, or one whose inputs changed
            boolean done = !resume && new RunFolder(out.resolve(id)).complete();
            folder = Runner.run(req, out, resume || done, registries, Home.get(), new BarProgress());
            if (done) {
                spec.commandLine().getErr().println("ckl run: " + folder.dir() + " was already complete; its summary again:");
                spec.commandLine().getErr().flush();
            }
        }
        return printed(folder);
    }

    private Integer again() throws Exception {
        Path from = what.from;
        if (!overrides.settings().isEmpty() || full || resume) {
            throw new UsageError("--from takes the whole configuration from the run; leave out --set, --full and"
                    + " --resume (--model, --data, --ta and --param give your own inputs: the paths in run.json are never"
                    + " opened)");
        }
        Map<String, Path> own = new LinkedHashMap<>();
        params.forEach((k, v) -> own.put(k, Path.of(v)));
        Path runJson = Files.isDirectory(from) ? from.resolve(RunFolder.RUN) : from;
        if (!Files.isRegularFile(runJson, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            throw new IllegalArgumentException("--from " + from + ": no run.json there");
        }
        RunRecord recorded = Json.read(runJson, RunRecord.class);
        if (recorded.config() == null) {
            throw new IllegalArgumentException(org.cklbench.text.Printable.of(runJson) + " holds no configuration");
        }
        if (ta != null && recorded.config().method() != null
                && java.util.Arrays.asList(recorded.config().method().split("\\+")).contains("taalm")) {
            own.put("taalm.ta", ta); // like --ta for a new run: ignored by methods without taalm
        }
        if (Files.exists(out) && !Files.isDirectory(out)) {
            throw new IllegalArgumentException("--out " + out + " is a file; give a folder (it is made if missing)");
        }
        Path dir = runDir != null ? runDir : out.resolve(recorded.config().id());
        return printed(Runner.rerun(recorded, new org.cklbench.core.run.RerunInputs(inputs.model, inputs.data, own), dir,
                plugins.registries(), Home.get(), new BarProgress(), 0));
    }

    private static Integer printed(RunFolder folder) throws Exception {
        folder.summary(); // a damaged summary.json is named here rather than by the parser below
        System.out.println(new ObjectMapper().writerWithDefaultPrettyPrinter()
                .writeValueAsString(new ObjectMapper().readTree(folder.dir().resolve(RunFolder.SUMMARY).toFile())));
        System.err.println("run folder: " + folder.dir());
        return 0;
    }
}
