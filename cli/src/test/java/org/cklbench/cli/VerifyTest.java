package org.cklbench.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarInputStream;
import java.util.jar.JarOutputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.cklbench.cli.Cli.ckl;
import static org.cklbench.cli.Cli.onlyRun;

/** ckl verify and ckl run --from: a run checked by running it again, and what makes a check fail. */
class VerifyTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    private Path smokeRun(String out, String... more) throws Exception {
        List<String> args = new java.util.ArrayList<>(List.of("run", "--benchmark", "lama-ckl", "--method", "finetune",
                "--preset", "smoke", "--threads", "2", "--set", "epochs=2", "--out", tmp.resolve(out).toString()));
        args.addAll(List.of(more));
        Cli.Run r = ckl(args.toArray(String[]::new));
        assertThat(r.code()).as(r.err()).isZero();
        return onlyRun(tmp.resolve(out));
    }

    @Test
    void aRunVerifiesByteEqualTheSiteMarksItAndATamperedFileUndoesIt() throws Exception {
        Path run = smokeRun("runs");
        // a scratch folder beside the run (or its parent) still gets a fresh run, never the recorded one back
        Cli.Run v = ckl("verify", run.toString(), "--scratch", tmp.resolve("runs").toString());
        assertThat(v.code()).as(v.err()).isZero();
        try (var s = Files.list(tmp.resolve("runs"))) {
            Path fresh = s.filter(p -> p.getFileName().toString().startsWith("verify-")).findFirst().orElseThrow();
            assertThat(fresh.resolve(run.getFileName()).resolve("metrics.jsonl")).exists();
            org.cklbench.io.Folders.deleteTree(fresh); // not a run of the leaderboard below
        }
        Cli.Run inside = ckl("verify", run.toString(), "--scratch", run.resolve("x").toString());
        assertThat(inside.code()).isEqualTo(1);
        assertThat(inside.err()).contains("inside the run folder");
        JsonNode verification = JSON.readTree(run.resolve("verification.json").toFile());
        assertThat(verification.get("verdict").asText()).isEqualTo("byte-equal");
        assertThat(verification.get("evaluations").asInt()).isEqualTo(3); // before training and two epochs
        assertThat(verification.get("complete_run").asBoolean()).isTrue();
        assertThat(verification.at("/machine/cpus").asInt()).isPositive();

        Path site = tmp.resolve("site");
        assertThat(ckl("site", "build", "--runs", tmp.resolve("runs").toString(), "--out", site.toString()).code()).isZero();
        assertThat(Files.readString(site.resolve("index.html"))).contains("data-verified=\"true\"", "class=\"verified\"");
        String page = Files.readString(site.resolve("runs").resolve(run.getFileName() + ".html"));
        assertThat(page).contains("✓ byte-equal");

        // the headline changed afterwards: the mark goes
        Path summary = run.resolve("summary.json");
        String honest = Files.readString(summary);
        Files.writeString(summary, honest.replace("\"nf_acc\" : ", "\"nf_acc\" : 0.97, \"was\" : "));
        assertThat(ckl("site", "build", "--runs", tmp.resolve("runs").toString(), "--out", site.toString()).code()).isZero();
        assertThat(Files.readString(site.resolve("runs").resolve(run.getFileName() + ".html")))
                .contains("summary.json changed after it was verified");
        Files.writeString(summary, honest);

        // one number changed afterwards: the site withdraws the mark, and verifying again names the line and metric
        Path metrics = run.resolve("metrics.jsonl");
        List<String> lines = Files.readAllLines(metrics);
        JsonNode second = JSON.readTree(lines.get(1));
        String forged = lines.get(1).replace("\"not_to_forget_acc\":" + second.get("not_to_forget_acc").asText(),
                "\"not_to_forget_acc\":0.999");
        assertThat(forged).isNotEqualTo(lines.get(1));
        lines.set(1, forged);
        Files.write(metrics, lines);
        assertThat(ckl("site", "build", "--runs", tmp.resolve("runs").toString(), "--out", site.toString()).code()).isZero();
        assertThat(Files.readString(site.resolve("index.html"))).contains("data-verified=\"false\"");
        assertThat(Files.readString(site.resolve("runs").resolve(run.getFileName() + ".html")))
                .contains("metrics.jsonl changed after it was verified");

        Cli.Run again = ckl("verify", run.toString(), "--epochs", "1", "--scratch", tmp.resolve("scratch2").toString());
        assertThat(again.code()).isEqualTo(1);
        verification = JSON.readTree(run.resolve("verification.json").toFile());
        assertThat(verification.get("verdict").asText()).isEqualTo("failed");
        assertThat(verification.get("evaluations").asInt()).isEqualTo(2);
        assertThat(verification.get("problems").toString()).contains("metrics.jsonl line 2: not_to_forget_acc recorded 0.999");
        assertThat(verification.get("complete_run").asBoolean()).isFalse();
    }

    @Test
    void runningAgainFromARunNamesEachInputThatDiffers() throws Exception {
        Path warm = smokeRun("warm");
        Path data = Path.of(JSON.readTree(warm.resolve("run.json").toFile()).at("/provenance/inputs/to_learn/path").asText())
                .getParent();
        Path copy = Files.createDirectories(tmp.resolve("data"));
        try (var files = Files.list(data)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                Files.copy(f, copy.resolve(f.getFileName()));
            }
        }
        Path run = smokeRun("runs", "--data", copy.toString());

        // by default it would land on itself: refused rather than handing the recorded run back
        Cli.Run onItself = ckl("run", "--from", run.toString(), "--out", tmp.resolve("runs").toString());
        assertThat(onItself.code()).isEqualTo(1);
        assertThat(onItself.err()).contains("already exists");

        // the data is the maintainer's own (--data): the path in run.json is never opened
        Cli.Run same = ckl("run", "--from", run.toString(), "--data", copy.toString(), "--out", tmp.resolve("again").toString());
        assertThat(same.code()).as(same.err()).isZero();
        assertThat(onlyRun(tmp.resolve("again")).resolve("metrics.jsonl")).hasSameTextualContentAs(run.resolve("metrics.jsonl"));

        Files.writeString(copy.resolve("variant.jsonl"), Files.readString(copy.resolve("variant.jsonl")) + "\n");
        Files.delete(copy.resolve("invariant_schematic.jsonl"));
        Cli.Run changed = ckl("run", "--from", run.resolve("run.json").toString(), "--data", copy.toString(), "--out",
                tmp.resolve("again2").toString());
        assertThat(changed.code()).isEqualTo(1);
        assertThat(changed.err()).contains("variant.jsonl differs").contains("invariant_schematic.jsonl is missing");
        assertThat(tmp.resolve("again2")).doesNotExist();
    }

    @Test
    void aSwappedPluginJarFailsVerificationNamingTheJar() throws Exception {
        Path plugins = PluginTest.buildExampleJar(tmp, "decay-method");
        Cli.Run r = ckl("run", "--benchmark", "lama-ckl", "--method", "decay", "--preset", "smoke", "--threads", "2",
                "--set", "epochs=1", "--plugins", plugins.toString(), "--out", tmp.resolve("runs").toString());
        assertThat(r.code()).as(r.err()).isZero();
        Path run = onlyRun(tmp.resolve("runs"));
        assertThat(JSON.readTree(run.resolve("run.json").toFile()).at("/provenance/code_sha256/decay").asText()).hasSize(64);

        // without the plugin: a usage error that says what to pass, and nothing written into the run folder
        Cli.Run without = ckl("verify", run.toString(), "--scratch", tmp.resolve("s0").toString());
        assertThat(without.code()).as(without.err()).isEqualTo(2);
        assertThat(without.err()).contains("method 'decay' is not installed here: pass --plugins DIR")
                .contains("Try 'ckl verify --help'");
        assertThat(run.resolve("verification.json")).doesNotExist();
        assertThat(tmp.resolve("s0")).doesNotExist();

        // the same classes plus one more entry: another jar, as a resubmitted plugin would be
        Path jar = plugins.resolve("decay-method.jar");
        Path swapped = tmp.resolve("swapped.jar");
        try (JarInputStream in = new JarInputStream(Files.newInputStream(jar));
             OutputStream os = Files.newOutputStream(swapped); JarOutputStream out = new JarOutputStream(os)) {
            for (JarEntry e = in.getNextJarEntry(); e != null; e = in.getNextJarEntry()) {
                out.putNextEntry(new JarEntry(e.getName()));
                in.transferTo(out);
                out.closeEntry();
            }
            out.putNextEntry(new JarEntry("CHANGED"));
            out.write('x');
            out.closeEntry();
        }
        Files.move(swapped, jar, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Cli.Run v = ckl("verify", run.toString(), "--plugins", plugins.toString(), "--scratch", tmp.resolve("s").toString());
        assertThat(v.code()).isEqualTo(1);
        // the reason in the last lines, not only inside the JSON printed above them
        String[] last = v.err().strip().split("\\R");
        assertThat(String.join("\n", java.util.Arrays.asList(last).subList(Math.max(0, last.length - 3), last.length)))
                .contains("NOT verified: " + run).contains("  - ").contains("plugin jar of decay differs")
                .contains("the run again is kept under " + tmp.resolve("s"));
        JsonNode verification = JSON.readTree(run.resolve("verification.json").toFile());
        assertThat(verification.get("verdict").asText()).isEqualTo("failed");
        assertThat(verification.get("problems").toString()).contains("plugin jar of decay differs", "decay-method.jar");
    }

    /** A temporary scratch folder goes after a pass; after a failure it stays, and the last line says where. */
    @Test
    void theTemporaryRunAgainIsRemovedAfterAPassAndKeptAfterAFailure() throws Exception {
        Path run = smokeRun("runs");
        Path temp = Files.createDirectories(tmp.resolve("temp"));
        Path log = tmp.resolve("verify.log");
        Process p = Cli.start(log, List.of("-Djava.io.tmpdir=" + temp), "verify", run.toString(), "--epochs", "1");
        assertThat(p.waitFor()).as(Files.readString(log)).isZero();
        assertThat(Files.readString(log)).contains("verified (byte-equal): " + run);
        try (var left = Files.list(temp)) {
            assertThat(left).as("the run again, once verified").isEmpty();
        }

        Path metrics = run.resolve("metrics.jsonl");
        List<String> lines = Files.readAllLines(metrics);
        String forged = lines.get(0).replace("\"not_to_forget_acc\":"
                + JSON.readTree(lines.get(0)).get("not_to_forget_acc").asText(), "\"not_to_forget_acc\":0.999");
        assertThat(forged).isNotEqualTo(lines.get(0));
        lines.set(0, forged);
        Files.write(metrics, lines);
        p = Cli.start(log, List.of("-Djava.io.tmpdir=" + temp), "verify", run.toString(), "--epochs", "1");
        assertThat(p.waitFor()).as(Files.readString(log)).isEqualTo(1);
        try (var left = Files.list(temp)) {
            Path kept = left.filter(f -> f.getFileName().toString().startsWith("ckl-verify-")).findFirst().orElseThrow();
            assertThat(Files.readString(log)).contains("NOT verified: " + run)
                    .contains("  - metrics.jsonl line 1: not_to_forget_acc recorded 0.999")
                    .contains("the run again is kept under " + kept);
        }
    }

    /** run.json is someone else's file: its "id" never becomes a path, and a run.json without inputs fails clearly. */
    @Test
    void aHostileRunJsonNeitherEscapesTheScratchFolderNorCrashes() throws Exception {
        Path run = smokeRun("runs");
        Path runJson = run.resolve("run.json");
        com.fasterxml.jackson.databind.node.ObjectNode record = (com.fasterxml.jackson.databind.node.ObjectNode) JSON.readTree(runJson.toFile());
        record.put("id", "../../escaped-by-id");
        Files.writeString(runJson, JSON.writeValueAsString(record));
        Path scratch = tmp.resolve("deep").resolve("s");
        Cli.Run v = ckl("verify", run.toString(), "--scratch", scratch.toString());
        assertThat(v.code()).as(v.err()).isZero();
        assertThat(tmp.resolve("escaped-by-id")).doesNotExist();
        assertThat(tmp.resolve("deep").resolve("escaped-by-id")).doesNotExist();

        ((com.fasterxml.jackson.databind.node.ObjectNode) record.get("provenance")).remove("inputs");
        Files.writeString(runJson, JSON.writeValueAsString(record));
        Cli.Run none = ckl("verify", run.toString(), "--scratch", tmp.resolve("s2").toString());
        assertThat(none.code()).isEqualTo(1);
        JsonNode verification = JSON.readTree(run.resolve("verification.json").toFile());
        assertThat(verification.get("verdict").asText()).isEqualTo("failed");
        assertThat(verification.get("problems").toString()).contains("records no input files");
    }
}
