package org.cklbench.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "submit", mixinStandardHelpOptions = true, sortOptions = false,
        header = "Pack run folders into one zip for a leaderboard.",
        description = {"Pack run folders for a leaderboard: one zip with every complete run folder under --runs (without " +
            "checkpoints), the plugin jars they were made with (found in --plugins by the SHA-256 each run.json records) " +
            "and manifest.json. ckl site build --runs BUNDLE.zip (or a folder of bundles) shows it; a maintainer " +
            "unpacks it with --unpack and checks runs with ckl verify."})
final class SubmitCommand implements Callable<Integer> {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    /** What to do: pack run folders, or unpack a bundle (exactly one; picocli checks). */
    @picocli.CommandLine.ArgGroup(exclusive = true, multiplicity = "1")
    Task task;

    static final class Task {
        @Option(names = "--runs", required = true, description = "Folder of run folders to submit.")
        Path runs;

        @Option(names = "--unpack", required = true, paramLabel = "BUNDLE.zip", description = {"Unpack a bundle into --out"
            + " instead (links, paths outside --out and oversize bundles are refused, and a refused bundle leaves nothing;"
            + " any verification.json it carries is dropped); then: ckl verify OUT/runs/<run> --plugins OUT/plugins."})
        Path unpack;
    }

    @Mixin
    PluginOptions plugins;

    @Option(names = "--out", required = true, description = "The bundle to write (BUNDLE.zip), or with --unpack the folder to unpack into.")
    Path out;

    @Override
    public Integer call() throws Exception {
        if (task.unpack != null) {
            for (String dropped : Bundles.unpack(task.unpack, out)) {
                spec.commandLine().getErr().println("dropped " + org.cklbench.text.Printable.of(dropped) + ": a submitter's own verification"
                        + " never counts; verify the run here (ckl verify)");
            }
            System.out.println(out.toAbsolutePath());
            return 0;
        }
        if (!out.toString().endsWith(".zip") || Files.isDirectory(out)) {
            throw new UsageError("--out " + out + " must name a .zip file");
        }
        var manifest = Bundles.write(task.runs, plugins.dir(), out);
        System.err.println(manifest.get("runs").size() + " runs and " + manifest.get("plugins").size()
                + " plugin jars in " + out);
        // strings from run folders (ids, folder names) printed with every non-ASCII character escaped
        System.out.println(new ObjectMapper().enable(com.fasterxml.jackson.core.json.JsonWriteFeature.ESCAPE_NON_ASCII.mappedFeature())
                .writerWithDefaultPrettyPrinter().writeValueAsString(manifest));
        return 0;
    }
}
