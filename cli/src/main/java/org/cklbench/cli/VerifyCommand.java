package org.cklbench.cli;

import org.cklbench.core.run.RerunInputs;
import org.cklbench.core.run.Tolerance;
import org.cklbench.core.plugin.Registries;
import org.cklbench.core.run.Verifier;
import org.cklbench.runfolder.Json;
import org.cklbench.runfolder.RunFolder;
import org.cklbench.runfolder.Verification;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "verify", mixinStandardHelpOptions = true, sortOptions = false,
        header = "Run a run folder's configuration again and compare its metrics.",
        description = {"Run a run folder's recorded configuration again (all of it, or its first K epochs or periods) into " +
            "a scratch folder, after checking every input file and plugin jar (from --plugins) against the SHA-256 in run.json, and " +
            "compare metrics.jsonl line by line: byte-equal where the suite commit, Java, DJL, PyTorch, OS, device, dtype " +
            "and CPU count are the recorded ones; elsewhere each metric within --tolerance. Writes verification.json " +
            "into RUN_DIR (verdict, who verified and where, versions, what it vouches for and how each file was compared, the " +
            "largest difference per metric) and exits 1 when verification fails, naming each difference. bootstrap.json and " +
            "benchmark.json are compared with those the run again writes, run.json field by field; paths in run.json are " +
            "never opened (--model, --data, --param give your own inputs). The site marks verified rows from that file. " +
            "The last lines say the verdict and, when it fails, why. The run again's temporary folder is removed after a " +
            "pass and kept (its path printed) after a failure; a --scratch folder is always kept."})
final class VerifyCommand implements Callable<Integer> {
    @Parameters(paramLabel = "RUN_DIR", description = "The run folder to verify.")
    Path runDir;

    @Mixin
    PluginOptions plugins;

    @Option(names = "--epochs", defaultValue = "0", paramLabel = "K",
            description = "Compare only the first K epochs (periods): quicker, and a check of the start (default: all).")
    int epochs;

    @Option(names = "--tolerance", paramLabel = "X|METRIC=X", description = {"Largest absolute difference allowed where " +
        "byte-equality is not expected: a number for every metric (default 1e-4), or METRIC=X for one (repeatable)."})
    java.util.List<String> tolerance = new java.util.ArrayList<>();

    @Option(names = "--scratch", description = "Where to run again, kept afterwards (default: a new temporary folder, removed after a pass).")
    Path scratch;

    @Option(names = "--model", description = {"Your own model folder to run again with (default: the preset's, from " +
        "CKL_HOME). The paths a run.json names are never opened: inputs are matched by their recorded SHA-256."})
    Path model;

    @Option(names = "--data", description = "Your own data folder to run again with (default: the preset's, from CKL_HOME).")
    Path data;

    @Option(names = "--param", paramLabel = "METHOD_PARAM=DIR", description = {"Your own folder for a method parameter " +
        "that holds a path in the recorded run (taalm.ta=DIR, say); repeatable."})
    java.util.Map<String, Path> pathParams = new java.util.LinkedHashMap<>();

    @Option(names = "--by", paramLabel = "NAME", description = "Who verifies, recorded in verification.json and shown by the site (default: your user name).")
    String by;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (scratch != null && scratch.toString().isBlank()) {
            // Path.of("") is the current folder: the run again would land wherever the command was started
            throw new UsageError("--scratch '" + scratch + "' names no folder; give one, or leave --scratch out for a"
                    + " new temporary folder");
        }
        RunFolder folder = new RunFolder(runDir);
        if (!Files.isRegularFile(runDir.resolve(RunFolder.RUN), java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            throw new IllegalArgumentException(runDir + " is not a run folder (no run.json)");
        }
        Registries registries = plugins.registries();
        try {
            Verifier.requireInstalled(folder.run(), registries);
        } catch (Verifier.NotInstalled e) {
            throw new UsageError(e.getMessage(), e);
        }
        Path where = scratch != null ? scratch : Files.createTempDirectory("ckl-verify-");
        Verification v = Verifier.verify(folder, registries, Home.get(), where, epochs,
                Tolerance.parse(tolerance, 1e-4), new BarProgress(), new RerunInputs(model, data, pathParams), by);
        // it quotes the run folder's own strings: every character outside ASCII escaped, so none reaches a terminal raw
        System.out.println(Json.FILES.writer().with(com.fasterxml.jackson.core.json.JsonWriteFeature.ESCAPE_NON_ASCII)
                .withDefaultPrettyPrinter().writeValueAsString(v));
        java.io.PrintWriter err = spec.commandLine().getErr();
        err.println(verdictLines(v, where, scratch == null));
        err.flush();
        return v.passed() ? 0 : 1;
    }

    /**
     * The last lines: the verdict, and after a failure its reasons (the JSON above holds them too, far up).
     * A temporary scratch folder is removed after a pass; it is kept after a failure, where it is what to look
     * at, and a --scratch folder is always the user's to keep.
     */
    private String verdictLines(Verification v, Path where, boolean temporary) throws java.io.IOException {
        StringBuilder b = new StringBuilder();
        if (v.passed()) {
            b.append("verified (").append(v.verdict()).append("): ").append(runDir);
            if (temporary) {
                org.cklbench.io.Folders.deleteTree(where);
            } else {
                b.append("; the run again is under ").append(where);
            }
            return b.toString();
        }
        b.append("NOT verified: ").append(runDir);
        java.util.List<String> problems = v.problems() == null ? java.util.List.of() : v.problems();
        int shown = Math.min(problems.size(), MAX_PROBLEMS);
        for (int i = 0; i < shown; i++) {
            b.append(System.lineSeparator()).append("  - ").append(org.cklbench.text.Printable.of(problems.get(i)));
        }
        if (problems.size() > shown) {
            b.append(System.lineSeparator()).append("  (").append(problems.size() - shown)
                    .append(" more in verification.json)");
        }
        return b.append(System.lineSeparator()).append("the run again is kept under ").append(where).toString();
    }

    private static final int MAX_PROBLEMS = 5;
}
