package org.cklbench.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.cklbench.cli.Cli.ckl;

/**
 * The example plugins under examples/ (a method and a benchmark) are compiled on their own against the
 * SPI (benchmark-core, the modules below it and DJL only), packed into jars, and loaded through
 * {@code --plugins}; the site renders the plugin benchmark's leaderboard with no site code of its own.
 */
class PluginTest {
    @TempDir
    Path tmp;

    static Path exampleRoot(String name) {
        Path p = Path.of("..", "examples", name).toAbsolutePath().normalize();
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isDirectory(p), "skipped: " + p + " is absent");
        return p;
    }

    /** The SPI's class path: benchmark-core and its dependencies, nothing of the other modules. */
    static String spiClassPath() {
        List<String> keep = new ArrayList<>();
        for (String e : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            boolean otherModule = Stream.of("cli", "methods", "lama-ckl", "temporalwiki", "datasets", "leaderboard-site", "sweeps")
                    .anyMatch(m -> e.contains("/" + m + "/target/") || e.contains("/" + m + "-0."));
            if (!otherModule && !e.contains("test-classes")) {
                keep.add(e);
            }
        }
        return String.join(java.io.File.pathSeparator, keep);
    }

    /** Compiles examples/NAME into {@code work/plugins/NAME.jar}; returns the plugins folder. */
    static Path buildExampleJar(Path work, String name) throws IOException {
        Path src = exampleRoot(name).resolve("src/main");
        Path classes = Files.createDirectories(work.resolve("classes-" + name));
        List<String> args = new ArrayList<>(List.of("-d", classes.toString(), "-cp", spiClassPath(), "--release", "17"));
        try (Stream<Path> files = Files.walk(src.resolve("java"))) {
            files.filter(f -> f.toString().endsWith(".java")).forEach(f -> args.add(f.toString()));
        }
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        int rc = javac.run(null, null, null, args.toArray(String[]::new));
        assertThat(rc).as("javac of the example plugin").isZero();
        Path jar = Files.createDirectories(work.resolve("plugins")).resolve(name + ".jar");
        try (OutputStream os = Files.newOutputStream(jar); JarOutputStream j = new JarOutputStream(os)) {
            for (Path root : List.of(classes, src.resolve("resources"))) {
                try (Stream<Path> files = Files.walk(root)) {
                    for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
                        j.putNextEntry(new JarEntry(root.relativize(f).toString().replace('\\', '/')));
                        j.write(Files.readAllBytes(f));
                        j.closeEntry();
                    }
                }
            }
        }
        return jar.getParent();
    }

    @Test
    void theExamplePluginIsListedAndCompletesASmokeRun() throws Exception {
        Path plugins = buildExampleJar(tmp, "decay-method");
        Cli.Run list = ckl("methods", "--plugins", plugins.toString());
        assertThat(list.code()).as(list.err()).isZero();
        assertThat(list.out()).contains("decay").contains("floor").contains("finetune");
        assertThat(ckl("methods").out().lines()).noneMatch(l -> l.startsWith("decay "));

        Cli.Run run = ckl("run", "--benchmark", "lama-ckl", "--method", "decay", "--preset", "smoke", "--threads", "2",
                "--plugins", plugins.toString(), "--param", "floor=0.5", "--out", tmp.resolve("runs").toString());
        assertThat(run.code()).as(run.err()).isZero();
        Path folder = Cli.onlyRun(tmp.resolve("runs"));
        assertThat(Files.readString(folder.resolve("summary.json"))).contains("\"method\" : \"decay\"");
        assertThat(Files.readString(folder.resolve("run.json"))).contains("decay-method.jar").contains("\"floor\" : 0.5");
    }

    @Test
    void theExampleBenchmarkIsListedRunsAndIsRenderedByTheSite() throws Exception {
        buildExampleJar(tmp, "decay-method");
        Path plugins = buildExampleJar(tmp, "sessions-benchmark");
        Cli.Run list = ckl("benchmarks", "--plugins", plugins.toString());
        assertThat(list.code()).as(list.err()).isZero();
        assertThat(list.out().lines().filter(l -> !l.startsWith(" ")).map(l -> l.split("\\s+")[0]))
                .contains("lama-ckl", "temporalwiki", "sessions");
        assertThat(list.out()).contains("Final Acc (higher is better)", "sessions-benchmark.jar");
        assertThat(ckl("benchmarks").out()).doesNotContain("sessions");

        Path runs = tmp.resolve("runs");
        for (String method : List.of("finetune", "decay", "oracle")) {
            Cli.Run run = ckl("run", "--benchmark", "sessions", "--method", method, "--preset", "smoke", "--threads", "2",
                    "--plugins", plugins.toString(), "--out", runs.toString());
            assertThat(run.code()).as(run.err()).isZero();
        }
        Path folder = Cli.onlyRunMatching(runs, "sessions_finetune_smoke");
        assertThat(Files.readAllLines(folder.resolve("metrics.jsonl"))).hasSize(3);
        assertThat(Files.readString(folder.resolve("summary.json"))).contains("\"final_acc\"", "\"forgetting\"");
        assertThat(Files.readString(folder.resolve("run.json"))).contains("sessions-benchmark.jar");
        assertThat(folder.resolve("predictions/session-3.jsonl")).exists();

        // the site is built without the plugins: the run folders say how to show them
        Path site = tmp.resolve("site");
        Cli.Run b = ckl("site", "build", "--runs", runs.toString(), "--out", site.toString());
        assertThat(b.code()).as(b.err()).isZero();
        String home = Files.readString(site.resolve("index.html"));
        assertThat(home).contains("Sessions (example plugin)", "Final Acc", "Learned", "Forgetting", "decay", "oracle");
        String page = Files.readString(site.resolve("runs").resolve(folder.getFileName() + ".html"));
        assertThat(page).contains("Accuracy after each session", "this session", "<svg", "all facts so far");
    }
}
