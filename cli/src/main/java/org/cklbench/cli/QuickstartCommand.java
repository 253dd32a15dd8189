package org.cklbench.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.cklbench.core.benchmark.Benchmark;
import org.cklbench.core.benchmark.InputRequest;
import org.cklbench.core.plugin.Registries;
import org.cklbench.core.run.RunRequest;
import org.cklbench.core.run.Runner;
import org.cklbench.engine.djl.PyTorchEngine;
import org.cklbench.runfolder.RunFolder;
import org.cklbench.site.SiteBuilder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "quickstart", mixinStandardHelpOptions = true,
        description = {"The embedded default, end to end and offline: generate the synthetic world, pretrain",
            "its tiny base, build LAMA-ckl and TemporalWiki over it, meta-train the Train-Attention models, run every",
            "method on both benchmarks (preset quick), build the site, print the leaderboards and the path of",
            "index.html. About 10 minutes on 2 CPU cores the first time; everything is cached in CKL_HOME and",
            "every run folder is resumable, so a second call reuses what exists and an interrupted one goes on."})
final class QuickstartCommand implements Callable<Integer> {
    static final List<String> METHODS = List.of("finetune", "kadapter", "recadam", "mixreview", "rho1", "oracle", "taalm",
            "taalm+kadapter", "taalm+recadam", "taalm+mixreview");
    static final List<String> BENCHMARKS = List.of("lama-ckl", "temporalwiki");

    @Option(names = "--out", defaultValue = "quickstart", description = "Where runs/ and site/ go (default: ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--threads", defaultValue = "0", description = "CPU threads (default: one per core).")
    int threads;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of every run (default: ${DEFAULT-VALUE}).")
    long seed;

    private long t0;

    private void say(String what) {
        System.err.printf(Locale.ROOT, "[quickstart %s] %s%n", clock((System.nanoTime() - t0) / 1_000_000_000L), what);
    }

    private static String clock(long s) {
        return String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }

    @Override
    public Integer call() throws Exception {
        t0 = System.nanoTime();
        PyTorchEngine.init(threads);
        Path home = Home.get();
        BarProgress progress = new BarProgress();
        say("CKL_HOME is " + home);
        boolean cached = Files.isDirectory(home.resolve("worlds"));
        say(cached ? "reusing what CKL_HOME already holds (world, base model, data, Train-Attention models)"
                : "first run: generating the world and pretraining its base model (about 4 minutes)");
        Registries registries = Registries.load(null);
        for (String id : BENCHMARKS) {
            Benchmark b = registries.benchmarks().get(id);
            b.inputs(new InputRequest("quick", b.presets().get("quick").settings(Map.of()), null, null, home), progress);
            say(b.leaderboard().title() + " over the world: ready");
        }

        Path runs = out.resolve("runs");
        Files.createDirectories(runs);
        int total = BENCHMARKS.size() * METHODS.size();
        int done = 0;
        long runStart = System.nanoTime();
        int ran = 0;
        for (String bench : BENCHMARKS) {
            for (String method : METHODS) {
                done++;
                RunRequest req = new RunRequest(bench, method, Map.of(), "quick", Map.of(), null, null, seed, "cpu", null,
                        threads);
                long s = System.nanoTime();
                RunFolder f = Runner.run(req, runs, true, registries, home, progress);
                boolean reused = (System.nanoTime() - s) < 2_000_000_000L && f.complete();
                if (!reused) {
                    ran++;
                }
                double perRun = ran == 0 ? 0 : (System.nanoTime() - runStart) / 1e9 / ran;
                say(String.format(Locale.ROOT, "%d/%d %s %s %s; ETA %s", done, total, bench, method,
                        reused ? "(complete, reused)" : "done", clock(Math.round(perRun * (total - done)))));
            }
        }
        Path site = out.resolve("site");
        Path index = SiteBuilder.build(runs, site, SiteCommand.methodInfo(registries), SiteCommand.specs(registries));
        SiteCommand.reportSkipped(site, new java.io.PrintWriter(System.err, true));
        say("site built");
        printLeaderboards(site.resolve("site-data.json"));
        System.out.println();
        System.out.println("Open " + index.toAbsolutePath() + " (or: ./ckl site serve --dir " + site + ")");
        return 0;
    }

    static void printLeaderboards(Path siteData) throws Exception {
        JsonNode data = new ObjectMapper().readTree(siteData.toFile());
        for (JsonNode b : data.get("leaderboards")) {
            System.out.println();
            System.out.printf("%s · preset %s · %s%n", b.get("benchmark").asText(), b.get("preset").asText(),
                    b.get("model").asText());
            StringBuilder head = new StringBuilder(String.format("%-18s", "method"));
            for (JsonNode c : b.get("columns")) {
                head.append(String.format("%10s", c.get("short_label").asText()));
            }
            System.out.println(head);
            for (String kind : List.of("rows", "reported")) {
                for (JsonNode r : b.get(kind)) {
                    String name = kind.equals("rows") ? r.get("method").asText() : r.get("label").asText();
                    if (name.length() > 17) {
                        name = name.substring(0, 17);
                    }
                    StringBuilder line = new StringBuilder(String.format("%-18s", kind.equals("rows") ? name : name + "*"));
                    for (JsonNode c : b.get("columns")) {
                        JsonNode v = r.path("values").path(c.get("key").asText());
                        line.append(String.format("%10s", v.path("text").asText("–")));
                    }
                    System.out.println(line);
                }
            }
            System.out.println("(* reported in the paper, for " + b.path("reported_model").asText("another model") + ")");
        }
    }
}
