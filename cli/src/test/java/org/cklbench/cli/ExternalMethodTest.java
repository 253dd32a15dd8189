package org.cklbench.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.cklbench.cli.Cli.ckl;

/**
 * {@code --method external} end to end on the smoke preset (docs/external-methods.md), with tiny methods
 * written as shell scripts: a no-op that hands back the adapter it was given must score exactly as the
 * no-training row at every stage; each way a method can fail is an error naming the stage that keeps
 * the run folder; adapters trained elsewhere are scored and marked not reproducible.
 */
class ExternalMethodTest {
    static final ObjectMapper JSON = new ObjectMapper();
    /** Copies adapter_in to adapter_out: trains nothing. Reads the request's paths with sed (no JSON tool needed). */
    static final String NOOP = """
            #!/bin/sh
            set -e
            req="$1"
            [ "$req" = "$CKL_REQUEST" ]
            field() { sed -n "s/^  \\"$1\\" : \\"\\(.*\\)\\",\\{0,1\\}$/\\1/p" "$req"; }
            cp "$(field adapter_in)"/adapter_config.json "$(field adapter_in)"/adapter_model.safetensors "$(field adapter_out)"/
            echo "stage done" > "$(field state_out)"/note.txt
            """;

    @TempDir
    Path tmp;

    static Path script(Path dir, String name, String body) throws Exception {
        Path p = dir.resolve(name);
        Files.writeString(p, body);
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
        return p;
    }

    static List<JsonNode> metrics(Path run) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        for (String l : Files.readAllLines(run.resolve("metrics.jsonl"))) {
            out.add(JSON.readTree(l));
        }
        return out;
    }

    static Cli.Run external(Path out, String command, String... more) {
        List<String> args = new ArrayList<>(List.of("run", "--benchmark", "lama-ckl", "--preset", "smoke", "--method",
                "external", "--param", "command=" + command, "--out", out.toString()));
        args.addAll(List.of(more));
        return ckl(args.toArray(String[]::new));
    }

    @Test
    void aMethodThatTrainsNothingScoresAsTheNoTrainingRowAtEveryStage() throws Exception {
        Path noop = script(tmp, "noop.sh", NOOP);
        Path runs = tmp.resolve("runs");
        Cli.Run none = ckl("run", "--benchmark", "lama-ckl", "--preset", "smoke", "--method", "none", "--out", runs.toString());
        assertThat(none.code()).as(none.err()).isZero();
        Cli.Run ext = external(runs, noop.toString());
        assertThat(ext.code()).as(ext.err()).isZero();
        Path run = Cli.onlyRunMatching(runs, "lama-ckl_external_smoke_s1");
        List<JsonNode> got = metrics(run);
        List<JsonNode> base = metrics(Cli.onlyRunMatching(runs, "lama-ckl_none_smoke_s1"));
        assertThat(got).hasSize(base.size()).hasSizeGreaterThan(2);
        for (int i = 0; i < got.size(); i++) {
            assertThat(got.get(i)).as("metrics line " + (i + 1)).isEqualTo(base.get(i));
        }
        // what the method was given: the stage's documents in the trainer's order, the paths, the schedule
        JsonNode req = JSON.readTree(run.resolve("external/stage-002/request.json").toFile());
        assertThat(req.get("protocol").asText()).isEqualTo("ckl-external/1");
        assertThat(req.get("stage").asInt()).isEqualTo(2);
        assertThat(req.get("adapter_in").asText()).isEqualTo(run.toAbsolutePath().resolve("external/stage-001/adapter_out").toString());
        assertThat(req.get("state_in").asText()).endsWith("external/stage-001/state_out");
        assertThat(req.has("privileged")).isFalse();
        assertThat(req.at("/schedule/steps_before_stage").asLong()).isEqualTo(req.at("/schedule/steps_in_stage").asLong());
        List<String> docs = Files.readAllLines(run.resolve("external/stage-002/documents.jsonl"));
        int batch = req.at("/settings/batch_size").asInt();
        assertThat(req.at("/schedule/steps_in_stage").asInt()).isEqualTo((docs.size() + batch - 1) / batch);
        JsonNode first = JSON.readTree(docs.get(0));
        assertThat(first.get("input_ids").isArray()).isTrue();
        assertThat(first.has("objects")).as("only a privileged method sees the objects").isFalse();
        assertThat(Files.readAllLines(run.resolve("external/stage-001/documents.jsonl")))
                .as("each stage in its own seeded order").isNotEqualTo(docs).hasSameSizeAs(docs);
        JsonNode runJson = JSON.readTree(run.resolve("run.json").toFile());
        assertThat(runJson.has("reproducible")).isFalse();
        assertThat(runJson.at("/training/methods/command/0").asText()).isEqualTo(noop.toString());

        // ckl stages export writes the documents the run was given, in the same order
        Cli.Run export = ckl("stages", "export", "--benchmark", "lama-ckl", "--preset", "smoke", "--seed", "1", "--out",
                tmp.resolve("export").toString());
        assertThat(export.code()).as(export.err()).isZero();
        assertThat(Files.readAllLines(tmp.resolve("export/stage-002/documents.jsonl"))).isEqualTo(docs);
        JsonNode exported = JSON.readTree(tmp.resolve("export/stage-002/request.json").toFile());
        assertThat(exported.get("schedule")).isEqualTo(req.get("schedule"));
        assertThat(exported.has("adapter_out")).isFalse();
        // and the seeded LoRA stage 1 started from, byte for byte
        for (String f : List.of("adapter_config.json", "adapter_model.safetensors")) {
            assertThat(tmp.resolve("export/initial-adapter").resolve(f)).as(f)
                    .hasSameBinaryContentAs(run.resolve("external/initial-adapter").resolve(f));
        }

        // ckl verify runs the command again
        Cli.Run verify = ckl("verify", run.toString(), "--scratch", tmp.resolve("scratch").toString());
        assertThat(verify.code()).as(verify.err() + verify.out()).isZero();

        // adapters trained elsewhere: the no-op's, scored again, marked not reproducible
        Path adapters = tmp.resolve("adapters");
        try (Stream<Path> s = Files.list(run.resolve("external"))) {
            for (Path stage : s.filter(p -> p.getFileName().toString().startsWith("stage-")).toList()) {
                Path to = Files.createDirectories(adapters.resolve(stage.getFileName()));
                for (String f : List.of("adapter_config.json", "adapter_model.safetensors")) {
                    Files.copy(stage.resolve("adapter_out").resolve(f), to.resolve(f));
                }
            }
        }
        Path scored = tmp.resolve("scored");
        Cli.Run foreign = ckl("run", "--benchmark", "lama-ckl", "--preset", "smoke", "--method", "external", "--param",
                "adapters=" + adapters, "--out", scored.toString());
        assertThat(foreign.code()).as(foreign.err()).isZero();
        Path frun = Cli.onlyRun(scored);
        List<JsonNode> fm = metrics(frun);
        for (int i = 0; i < fm.size(); i++) {
            assertThat(fm.get(i)).isEqualTo(base.get(i));
        }
        JsonNode frunJson = JSON.readTree(frun.resolve("run.json").toFile());
        assertThat(frunJson.get("reproducible").asBoolean(true)).isFalse();
        assertThat(frunJson.get("reproducible_note").asText()).contains("trained outside the suite");
        Cli.Run cannot = ckl("verify", frun.toString(), "--scratch", tmp.resolve("scratch2").toString());
        assertThat(cannot.code()).isNotZero();
        assertThat(cannot.err()).contains("cannot be run again").contains("--param adapters=DIR");
        Cli.Run rescore = ckl("verify", frun.toString(), "--scratch", tmp.resolve("scratch3").toString(), "--param",
                "adapters=" + adapters);
        assertThat(rescore.code()).as(rescore.err() + rescore.out()).isZero();

        Cli.Run site = ckl("site", "build", "--runs", runs.toString(), "--out", tmp.resolve("site").toString());
        assertThat(site.code()).as(site.err()).isZero();
        assertThat(Files.readString(tmp.resolve("site/index.html"))).contains("external");
    }

    @Test
    void aDeclaredMethodRunsFromItsFolderWithItsFilesHashedAndVerifyNamesAChangedScript() throws Exception {
        Path plugins = Files.createDirectories(tmp.resolve("plugins"));
        Path noop = script(plugins, "noop.sh", NOOP + "echo '{\"train_loss\": 1.5}' > \"$(field result)\"\n");
        Files.writeString(plugins.resolve("oracle-noop.external.json"), "{\"id\": \"oracle-noop\", \"description\":"
                + " \"a privileged no-op\", \"command\": [\"./noop.sh\"], \"files\": [\"noop.sh\"], \"privileged\": true}");
        Cli.Run methods = ckl("methods", "--plugins", plugins.toString());
        assertThat(methods.code()).as(methods.err()).isZero();
        assertThat(methods.out()).contains("oracle-noop").contains("external");
        Path runs = tmp.resolve("runs");
        Cli.Run r = ckl("run", "--benchmark", "lama-ckl", "--preset", "smoke", "--method", "oracle-noop", "--plugins",
                plugins.toString(), "--out", runs.toString());
        assertThat(r.code()).as(r.err()).isZero();
        Path run = Cli.onlyRun(runs);
        JsonNode described = JSON.readTree(run.resolve("run.json").toFile()).at("/training/methods");
        assertThat(described.at("/files_sha256/noop.sh").asText())
                .isEqualTo(org.cklbench.io.Hashing.sha256(noop));
        assertThat(described.get("interpreter").asText()).as("/bin/sh's, never the script run with --version").isNotEmpty();
        assertThat(described.get("privileged").asBoolean()).isTrue();
        assertThat(metrics(run).get(1).get("train_loss").asDouble()).as("from the method's result.json").isEqualTo(1.5);
        JsonNode req = JSON.readTree(run.resolve("external/stage-001/request.json").toFile());
        assertThat(req.get("privileged").asBoolean()).isTrue();
        JsonNode doc = JSON.readTree(Files.readAllLines(run.resolve("external/stage-001/documents.jsonl")).get(0));
        assertThat(doc.get("objects").isArray()).isTrue();
        assertThat(doc.get("text").asText()).contains(doc.get("objects").get(0).asText());

        // a bundle: the declaration and its script instead of each stage's weights, enough for verify to run it again
        assertThat(run.resolve("external/stage-001/adapter_out/adapter_model.safetensors")).exists();
        Cli.Run noDeclaration = ckl("submit", "--runs", runs.toString(), "--out", tmp.resolve("none.zip").toString());
        assertThat(noDeclaration.code()).isEqualTo(1);
        assertThat(noDeclaration.err()).contains("external method oracle-noop, whose declaration"
                + " oracle-noop.external.json is not in --plugins");
        Path zip = tmp.resolve("bundle.zip");
        Cli.Run submit = ckl("submit", "--runs", runs.toString(), "--plugins", plugins.toString(), "--out", zip.toString());
        assertThat(submit.code()).as(submit.err()).isZero();
        List<String> names = new ArrayList<>();
        try (var z = new java.util.zip.ZipFile(zip.toFile())) {
            z.stream().forEach(e -> names.add(e.getName()));
        }
        assertThat(names).contains("plugins/oracle-noop.external.json", "plugins/noop.sh")
                .anyMatch(n -> n.endsWith("external/stage-001/request.json"))
                .noneMatch(n -> n.contains("/adapter_out/") || n.contains("/state_out/"));
        Path unpacked = tmp.resolve("unpacked");
        assertThat(ckl("submit", "--unpack", zip.toString(), "--out", unpacked.toString()).code()).isZero();
        Cli.Run again = ckl("verify", unpacked.resolve("runs").resolve(run.getFileName()).toString(), "--plugins",
                unpacked.resolve("plugins").toString(), "--scratch", tmp.resolve("scratch-bundle").toString());
        assertThat(again.code()).as(again.err()).isZero();
        assertThat(again.err()).contains("verified (byte-equal)");

        Files.writeString(noop, Files.readString(noop) + "# changed\n");
        Cli.Run verify = ckl("verify", run.toString(), "--plugins", plugins.toString(), "--scratch",
                tmp.resolve("scratch").toString());
        assertThat(verify.code()).isNotZero();
        assertThat(verify.out()).contains("files_sha256");

        // nor does submit pack a script other than the one the run recorded: refused by name, no bundle left
        Path changed = tmp.resolve("changed.zip");
        Cli.Run refused = ckl("submit", "--runs", runs.toString(), "--plugins", plugins.toString(), "--out",
                changed.toString());
        assertThat(refused.code()).as(refused.out() + refused.err()).isEqualTo(1);
        assertThat(refused.err()).contains("another noop.sh of the external method oracle-noop", "SHA-256 "
                + described.at("/files_sha256/noop.sh").asText() + " recorded");
        assertThat(changed).doesNotExist();
        assertThat(tmp.resolve("changed.zip.tmp")).doesNotExist();
    }

    /**
     * The scored adapter is the one evaluated: an adapter whose B matrices are not zero (the initial one's
     * A, B filled with 0.05) moves the model away from the base, so its metrics differ from the no-training
     * row's. Without this, a suite that ignored the adapter would pass the no-op test.
     */
    @Test
    void theAdapterGivenIsTheOneEvaluated() throws Exception {
        Path noop = script(tmp, "noop.sh", NOOP);
        Path runs = tmp.resolve("runs");
        Cli.Run ext = external(runs, noop.toString(), "--set", "epochs=1");
        assertThat(ext.code()).as(ext.err()).isZero();
        Path run = Cli.onlyRun(runs);
        Path adapters = Files.createDirectories(tmp.resolve("adapters/ep1"));
        Files.copy(run.resolve("external/initial-adapter/adapter_config.json"), adapters.resolve("adapter_config.json"));
        byte[] st = Files.readAllBytes(run.resolve("external/initial-adapter/adapter_model.safetensors"));
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(st).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        int n = (int) b.getLong(0);
        JsonNode header = JSON.readTree(new String(st, 8, n, java.nio.charset.StandardCharsets.UTF_8));
        for (var it = header.fields(); it.hasNext(); ) {
            var e = it.next();
            if (e.getKey().endsWith("lora_B.weight")) {
                assertThat(e.getValue().get("dtype").asText()).isEqualTo("F32");
                for (int at = 8 + n + e.getValue().at("/data_offsets/0").asInt(); at < 8 + n + e.getValue().at("/data_offsets/1").asInt(); at += 4) {
                    b.putFloat(at, 0.05f);
                }
            }
        }
        Files.write(adapters.resolve("adapter_model.safetensors"), st);
        Cli.Run scored = ckl("run", "--benchmark", "lama-ckl", "--preset", "smoke", "--method", "external", "--set",
                "epochs=1", "--param", "adapters=" + adapters.getParent(), "--param", "adapter_pattern=ep{k}", "--out",
                tmp.resolve("scored").toString());
        assertThat(scored.code()).as(scored.err()).isZero();
        List<JsonNode> base = metrics(run);
        List<JsonNode> moved = metrics(Cli.onlyRun(tmp.resolve("scored")));
        assertThat(moved.get(0)).as("before training: the base").isEqualTo(base.get(0));
        assertThat(moved.get(1).get("not_to_forget_nll").asDouble()).isNotEqualTo(base.get(1).get("not_to_forget_nll").asDouble());
    }
}
