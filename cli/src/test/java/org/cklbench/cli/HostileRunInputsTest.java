package org.cklbench.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.cklbench.cli.Cli.ckl;
import static org.cklbench.cli.Cli.onlyRun;

/** Issue 25's run-side cases: careless or hostile data, models and settings given to ckl run. */
class HostileRunInputsTest {
    @TempDir
    Path tmp;

    private static final String[] SMOKE = {"run", "--benchmark", "lama-ckl", "--method", "finetune", "--preset", "smoke",
        "--threads", "2", "--set", "epochs=1"};

    static String[] with(String[] base, String... more) {
        String[] out = java.util.Arrays.copyOf(base, base.length + more.length);
        System.arraycopy(more, 0, out, base.length, more.length);
        return out;
    }

    /** A copy of the smoke preset's LAMA-CKL data folder, to edit. */
    private Path dataCopy() throws Exception {
        Cli.Run warm = ckl(with(SMOKE, "--out", tmp.resolve("warm").toString()));
        assertThat(warm.code()).as(warm.err()).isZero();
        Path data = Path.of(new ObjectMapper().readTree(onlyRun(tmp.resolve("warm")).resolve("run.json").toFile())
                .at("/provenance/inputs/to_learn/path").asText()).getParent();
        Path copy = Files.createDirectories(tmp.resolve("data"));
        for (String f : List.of("variant.jsonl", "invariant_descriptive.jsonl", "invariant_schematic.jsonl")) {
            Files.copy(data.resolve(f), copy.resolve(f));
        }
        return copy;
    }

    /** Once the old run came back, exit 0, from --resume and from --run-dir (what a sweep task runs). */
    @Test
    void aCompleteRunOfDataChangedSinceIsNeverHandedBack() throws Exception {
        Path data = dataCopy();
        Path dir = tmp.resolve("exact");
        Cli.Run first = ckl(with(SMOKE, "--data", data.toString(), "--run-dir", dir.toString()));
        assertThat(first.code()).as(first.err()).isZero();
        List<String> rows = Files.readAllLines(data.resolve("variant.jsonl"));
        Files.write(data.resolve("variant.jsonl"), rows.subList(0, rows.size() - 1));

        Cli.Run again = ckl(with(SMOKE, "--data", data.toString(), "--run-dir", dir.toString()));
        assertThat(again.code()).isEqualTo(1);
        assertThat(again.err()).contains(data.resolve("variant.jsonl") + " changed").contains("new folder")
                .contains("remove " + dir).doesNotContain("variant.jsonl/variant.jsonl");
        assertThat(again.err().split(java.util.regex.Pattern.quote(data.resolve("variant.jsonl") + " changed"), -1))
                .as("said once").hasSize(2);
        Cli.Run resumed = ckl(with(SMOKE, "--data", data.toString(), "--out", dir.toString(), "--resume"));
        assertThat(resumed.code()).isEqualTo(1);
        assertThat(resumed.err()).contains(data.resolve("variant.jsonl") + " changed");
    }

    /** The smoke preset's base model folder. */
    private Path baseModel() throws Exception {
        Cli.Run warm = ckl(with(SMOKE, "--out", tmp.resolve("warm").toString()));
        assertThat(warm.code()).as(warm.err()).isZero();
        return Path.of(new ObjectMapper().readTree(onlyRun(tmp.resolve("warm")).resolve("run.json").toFile())
                .at("/provenance/inputs/model/path").asText());
    }

    /** Once 50,568 files of a system folder were hashed before "no config.json" was said. */
    @Test
    void aFolderThatIsNoModelIsRefusedBeforeAnythingInItIsHashed() throws Exception {
        Path system = Files.createDirectories(tmp.resolve("etc"));
        Path secret = system.resolve("shadow-" + System.nanoTime());
        Files.writeString(secret, "root:$6$hash:19000:0:99999:7:::");
        Cli.Run r = ckl(with(SMOKE, "--out", tmp.resolve("out").toString(), "--model", system.toString()));
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains(system + " is not a model folder").contains("config.json");
        try (var cached = Files.walk(Cli.HOME.resolve("cache"))) {
            for (Path c : cached.filter(Files::isRegularFile).toList()) {
                assertThat(Files.readString(c)).as("hash cache entry %s", c).doesNotContain(secret.toString());
            }
        }
        Cli.Run file = ckl(with(SMOKE, "--out", tmp.resolve("out").toString(), "--model", secret.toString()));
        assertThat(file.code()).isEqualTo(1);
        assertThat(file.err()).contains(secret + " is a file");
        Cli.Run root = ckl(with(SMOKE, "--out", tmp.resolve("out").toString(), "--model", "/"));
        assertThat(root.code()).isEqualTo(1);
        assertThat(root.err()).contains("root");
        assertThat(tmp.resolve("out")).doesNotExist();
    }

    /** Only the files the loader reads are the model's inputs: a README beside the weights is not one. */
    @Test
    void onlyTheFilesTheLoaderReadsAreHashedAsTheModel() throws Exception {
        Path model = tmp.resolve("model");
        Files.createDirectories(model);
        try (var files = Files.list(baseModel())) {
            for (Path f : files.toList()) {
                Files.copy(f, model.resolve(f.getFileName()));
            }
        }
        Files.writeString(model.resolve("README.md"), "a model card");
        Cli.Run r = ckl(with(SMOKE, "--out", tmp.resolve("out").toString(), "--model", model.toString()));
        assertThat(r.code()).as(r.err()).isZero();
        var hashed = new ObjectMapper().readTree(onlyRun(tmp.resolve("out")).resolve("run.json").toFile())
                .at("/provenance/inputs/model/sha256");
        assertThat(hashed.has("README.md")).isFalse();
        assertThat(hashed.has("model.safetensors") && hashed.has("config.json") && hashed.has("tokenizer.json")).isTrue();
    }

    /** Once a "complete" run of NaN metrics, exit 0. */
    @Test
    void aLossThatBecomesNonFiniteStopsTheRunNamingTheStep() throws Exception {
        Path out = tmp.resolve("out");
        Cli.Run r = ckl(with(SMOKE, "--out", out.toString(), "--set", "lr=1e300"));
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("training stage 1, step ").contains("the loss is NaN").contains("not complete");
        assertThat(onlyRun(out).resolve("summary.json")).doesNotExist();
    }

    /** Once a "complete" run of NaN metrics, exit 0. */
    @Test
    void weightsThatAreNaNStopTheRunAtItsFirstEvaluation() throws Exception {
        Path model = tmp.resolve("nan-model");
        Files.createDirectories(model);
        try (var files = Files.list(baseModel())) {
            for (Path f : files.toList()) {
                Files.copy(f, model.resolve(f.getFileName()));
            }
        }
        byte[] st = Files.readAllBytes(model.resolve("model.safetensors"));
        long header = java.nio.ByteBuffer.wrap(st, 0, 8).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
        java.util.Arrays.fill(st, (int) (8 + header), st.length, (byte) 0xff);
        Files.write(model.resolve("model.safetensors"), st);
        Path out = tmp.resolve("out");
        Cli.Run r = ckl(with(SMOKE, "--out", out.toString(), "--model", model.toString()));
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("eval before training").contains("NaN").contains("not complete");
        if (Files.exists(out)) {
            assertThat(onlyRun(out).resolve("summary.json")).doesNotExist();
        }
    }

    /** Once printed raw: a run.json could erase lines or set the clipboard (OSC 52) through an error. */
    @Test
    void anErrorQuotingARunJsonPrintsNoTerminalEscapes() throws Exception {
        baseModel();
        Path run = onlyRun(tmp.resolve("warm")).resolve("run.json");
        var record = (com.fasterxml.jackson.databind.node.ObjectNode) new ObjectMapper().readTree(run.toFile());
        ((com.fasterxml.jackson.databind.node.ObjectNode) record.get("config"))
                .put("benchmark", "lama\u001b]52;c;aGk=\u0007\u001b[2K\nckl: all runs verified");
        Path hostile = tmp.resolve("hostile.json");
        Files.writeString(hostile, record.toString());
        Cli.Run r = ckl("run", "--from", hostile.toString(), "--out", tmp.resolve("again").toString());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("\\u001b]52").doesNotContain("\u001b").doesNotContain("\u0007")
                .hasLineCount(1);
    }
}
