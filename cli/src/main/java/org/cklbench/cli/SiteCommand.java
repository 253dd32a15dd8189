package org.cklbench.cli;

import com.sun.net.httpserver.HttpServer;
import org.cklbench.core.benchmark.Benchmark;
import org.cklbench.core.plugin.Registries;
import org.cklbench.runfolder.LeaderboardSpec;
import org.cklbench.runfolder.MethodInfo;
import org.cklbench.site.SiteBuilder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;

@Command(name = "site", mixinStandardHelpOptions = true, description = "The static leaderboard site.", subcommands = {SiteCommand.Build.class, SiteCommand.Serve.class})
final class SiteCommand {

    /** Says which run folders the site left out, and why (the site-data.json of a build). */
    static void reportSkipped(Path site, java.io.PrintWriter err) throws java.io.IOException {
        for (String line : org.cklbench.site.Skipped.lines(org.cklbench.site.SiteData.read(site))) {
            err.println("ckl site: " + line);
        }
        err.flush();
    }

    /** The installed methods, as run.json describes them. */
    static List<MethodInfo> methodInfo(Registries registries) {
        List<MethodInfo> out = new ArrayList<>();
        registries.methods().providers().keySet().forEach(id -> out.add(registries.methods().info(id)));
        return out;
    }

    /**
     * The installed benchmarks' leaderboard specs, which win over the benchmark.json a run folder carries (any
     * folder can carry one of its own making): the reason {@code ckl site build} loads the registries.
     */
    static Map<String, LeaderboardSpec> specs(Registries registries) {
        Map<String, LeaderboardSpec> out = new TreeMap<>();
        for (Benchmark b : registries.benchmarks().benchmarks().values()) {
            out.put(b.id(), b.leaderboard());
        }
        return out;
    }

    @Command(name = "build", mixinStandardHelpOptions = true,
            header = "Build the static leaderboard site from run folders.",
            description = {"Summarize every complete run folder under RUNS into site-data.json, then render a static site " +
                "into OUT (leaderboards with the paper's reported rows, run pages with curves, method pages, JSON and " +
                "CSV downloads). Works from file:// and any static host; the same runs give byte-identical files.",
                "With --plugins, installed plugin methods are listed and plugin benchmarks' boards use their installed " +
                "leaderboard spec rather than the one their runs carry."})
    static final class Build implements Callable<Integer> {
        @picocli.CommandLine.Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Option(names = "--runs", required = true, description = {"Folder holding run folders (searched recursively), a " +
            "bundle of ckl submit (BUNDLE.zip), or a folder of bundles (each unpacked into a scratch folder first)."})
        Path runs;

        @Option(names = "--out", required = true, description = "Output folder (replaced if it holds a site built before).")
        Path out;

        @Mixin
        PluginOptions plugins;

        @Override
        public Integer call() throws Exception {
            Registries registries = plugins.registries();
            Path scratch = Files.createTempDirectory("ckl-bundles-");
            try {
                java.util.List<String> refused = new java.util.ArrayList<>();
                Path source = Bundles.expand(runs, scratch, refused);
                refused.forEach(r -> spec.commandLine().getErr().println("ckl site: " + r));
                Path index = SiteBuilder.build(source, out, methodInfo(registries), specs(registries));
                reportSkipped(out, spec.commandLine().getErr());
                System.out.println(index.toAbsolutePath());
                return 0;
            } finally {
                org.cklbench.io.Folders.deleteTree(scratch);
            }
        }
    }

    @Command(name = "serve", mixinStandardHelpOptions = true, description = "Preview a built site on http://127.0.0.1:PORT/ (loopback only).")
    static final class Serve implements Callable<Integer> {
        @Option(names = "--dir", defaultValue = "site", description = "The built site (default: ${DEFAULT-VALUE}).")
        Path dir;

        @Option(names = "--port", defaultValue = "8000", description = "Port (default: ${DEFAULT-VALUE}).")
        int port;

        @Override
        public Integer call() throws Exception {
            Path root = dir.toAbsolutePath().normalize();
            if (!Files.isRegularFile(root.resolve("index.html"))) {
                throw new IllegalArgumentException(root + " has no index.html: build the site first (ckl site build)");
            }
            HttpServer server = new SiteServer(root).start(port);
            System.out.println("serving " + root + " at http://127.0.0.1:" + server.getAddress().getPort() + "/ (Ctrl-C stops)");
            Thread.currentThread().join();
            return 0;
        }
    }
}
