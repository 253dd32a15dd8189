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
 * The example plugin under examples/ is compiled on its own against the SPI (benchmark-core's
 * classes and DJL only), packed into a jar, and loaded through {@code --plugins}.
 */
class PluginTest {
    @TempDir
    Path tmp;

    static Path exampleRoot() {
        Path p = Path.of("..", "examples", "decay-method").toAbsolutePath().normalize();
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

    static Path buildExampleJar(Path work) throws IOException {
        Path src = exampleRoot().resolve("src/main");
        Path classes = Files.createDirectories(work.resolve("classes"));
        List<String> args = new ArrayList<>(List.of("-d", classes.toString(), "-cp", spiClassPath(), "--release", "17"));
        try (Stream<Path> files = Files.walk(src.resolve("java"))) {
            files.filter(f -> f.toString().endsWith(".java")).forEach(f -> args.add(f.toString()));
        }
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        int rc = javac.run(null, null, null, args.toArray(String[]::new));
        assertThat(rc).as("javac of the example plugin").isZero();
        Path jar = Files.createDirectories(work.resolve("plugins")).resolve("decay-method.jar");
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
        Path plugins = buildExampleJar(tmp);
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
}
