package org.cklbench.cli;

import org.cklbench.io.ArithmeticPin;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The same smoke run, base pretraining included, started from two parents that ask libtorch for
 * different kernels (oneMKL's AVX-512 branch and ATen's scalar kernels, against oneMKL's SSE4.2 branch
 * and ATen's AVX2 kernels), each with its own CKL_HOME and its own --threads: the suite pins the
 * arithmetic, so both make the same base weights and the same metrics.jsonl, byte for byte. Unpinned
 * (CKL_UNPINNED=1) the two give other bytes on an AVX-512 machine (docs/reproducibility.md).
 */
class CrossDispatchTest {
    @TempDir
    Path tmp;

    @Test
    void twoParentDispatchSettingsGiveTheSameBytes() throws Exception {
        Process a = start("a", Map.of("MKL_ENABLE_INSTRUCTIONS", "AVX512", "ATEN_CPU_CAPABILITY", "default"), "1");
        Process b = start("b", Map.of("MKL_ENABLE_INSTRUCTIONS", "SSE4_2", "ATEN_CPU_CAPABILITY", "avx2",
                "MKL_CBWR", "COMPATIBLE"), "2");
        for (Process p : List.of(a, b)) {
            boolean ended = p.waitFor(20, TimeUnit.MINUTES);
            if (!ended) {
                p.destroyForcibly();
            }
            assertThat(ended && p.exitValue() == 0).as("the run ended well (logs: %s)", logs()).isTrue();
        }
        Path baseA = onlyBase(tmp.resolve("home-a"));
        Path baseB = onlyBase(tmp.resolve("home-b"));
        assertThat(baseA.getFileName()).isEqualTo(baseB.getFileName());
        assertThat(Files.readAllBytes(baseA.resolve("model.safetensors")))
                .as("the pretrained base's weights").isEqualTo(Files.readAllBytes(baseB.resolve("model.safetensors")));
        String metricsA = Files.readString(Cli.onlyRun(tmp.resolve("out-a")).resolve("metrics.jsonl"));
        String metricsB = Files.readString(Cli.onlyRun(tmp.resolve("out-b")).resolve("metrics.jsonl"));
        assertThat(metricsA).isNotEmpty().isEqualTo(metricsB);
        // the same run id, whatever --threads was given, and the pin recorded
        assertThat(Cli.onlyRun(tmp.resolve("out-a")).getFileName()).isEqualTo(Cli.onlyRun(tmp.resolve("out-b")).getFileName());
        assertThat(Files.readString(Cli.onlyRun(tmp.resolve("out-a")).resolve("run.json")))
                .contains("\"arithmetic\" : \"pinned v" + ArithmeticPin.VERSION);
    }

    /**
     * {@code java ... Main run ...} with the pinned variables taken out of the environment and the
     * parent's own put in: Main starts itself again pinned, as it does for anyone who starts it without
     * {@code ./ckl}.
     */
    private Process start(String name, Map<String, String> parent, String threads) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx1g", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
                "-Dckl.home=" + tmp.resolve("home-" + name), "-Dai.djl.offline=true",
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", Main.class.getName(),
                "run", "--benchmark", "lama-ckl", "--method", "finetune", "--preset", "smoke", "--seed", "1",
                "--threads", threads, "--out", tmp.resolve("out-" + name).toString()));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(tmp.resolve(name + ".log").toFile());
        Map<String, String> env = pb.environment();
        ArithmeticPin.ENV.keySet().forEach(env::remove);
        env.remove(ArithmeticPin.MARK);
        env.remove(ArithmeticPin.OPT_OUT);
        env.putAll(parent);
        env.put("CKL_PROGRESS", "lines");
        return pb.start();
    }

    private static Path onlyBase(Path home) throws IOException {
        try (var s = Files.find(home.resolve("worlds"), 2, (p, attr) -> attr.isDirectory()
                && p.getFileName().toString().startsWith("base-") && Files.isRegularFile(p.resolve("model.safetensors")))) {
            List<Path> bases = s.toList();
            assertThat(bases).as("one pretrained base under %s", home).hasSize(1);
            return bases.get(0);
        }
    }

    private String logs() throws IOException {
        StringBuilder sb = new StringBuilder();
        for (String n : List.of("a", "b")) {
            Path log = tmp.resolve(n + ".log");
            sb.append("\n== ").append(n).append('\n').append(Files.isRegularFile(log) ? Files.readString(log) : "(none)");
        }
        return sb.toString();
    }
}
