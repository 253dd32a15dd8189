package org.cklbench.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.cklbench.io.Hashing;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.cklbench.cli.Cli.ckl;

/**
 * What {@code ckl submit} packs for a declared external method: exactly the files the run recorded, each as it
 * recorded it, and none from outside the declaration's folder. The run folder is written by hand (what submit
 * reads of one: run.json's methods and {@code training.methods.files_sha256}, and summary.json), so that each
 * way the declaration can have moved since the run costs no run; ExternalMethodTest submits a real one.
 */
class SubmitDeclaredFilesTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;
    Path plugins;
    Path runs;
    Path out;

    @BeforeEach
    void declaredRun() throws Exception {
        plugins = Files.createDirectories(tmp.resolve("plugins"));
        Files.writeString(plugins.resolve("train.sh"), "#!/bin/sh\necho trained\n");
        Files.writeString(plugins.resolve("helper.py"), "print('help')\n");
        declare("train.sh");
        runs = tmp.resolve("runs");
        recorded(Map.of("train.sh", Hashing.sha256(plugins.resolve("train.sh"))));
        out = tmp.resolve("bundle.zip");
    }

    /** plugins/mine.external.json listing {@code files}. */
    private void declare(String... files) throws Exception {
        ObjectNode d = JSON.createObjectNode().put("id", "mine");
        d.putArray("command").add("./train.sh");
        var list = d.putArray("files");
        for (String f : files) {
            list.add(f);
        }
        Files.writeString(plugins.resolve("mine.external.json"), JSON.writeValueAsString(d));
    }

    /** A complete run folder runs/a made with method mine, whose run.json recorded {@code sha} as its files. */
    private void recorded(Map<String, String> sha) throws Exception {
        Path run = Files.createDirectories(runs.resolve("a"));
        ObjectNode r = JSON.createObjectNode();
        r.putObject("config").put("benchmark", "lama-ckl").put("method", "mine").put("preset", "smoke").put("seed", 1);
        r.putArray("methods").addObject().put("id", "mine").put("description", "mine")
                .put("origin", plugins.resolve("mine.external.json").toString()).putArray("parameters");
        ObjectNode files = r.putObject("training").putObject("methods").putObject("files_sha256");
        sha.forEach(files::put);
        Files.writeString(run.resolve("run.json"), JSON.writeValueAsString(r));
        Files.writeString(run.resolve("summary.json"), "{}");
        Files.writeString(run.resolve("metrics.jsonl"), "{}\n");
    }

    private static List<String> names(Path zip) throws Exception {
        List<String> names = new ArrayList<>();
        try (var z = new java.util.zip.ZipFile(zip.toFile())) {
            z.stream().forEach(e -> names.add(e.getName()));
        }
        return names;
    }

    /** Refused, naming each of {@code named}, with no bundle (nor its temporary file) left behind. */
    private void refused(String... named) throws Exception {
        Cli.Run r = ckl("submit", "--runs", runs.toString(), "--plugins", plugins.toString(), "--out", out.toString());
        assertThat(r.code()).as(r.out() + r.err()).isEqualTo(1);
        assertThat(r.err()).contains(named);
        try (var s = Files.list(tmp)) {
            assertThat(s.map(p -> p.getFileName().toString())).doesNotContain("bundle.zip", "bundle.zip.tmp");
        }
    }

    @Test
    void theDeclarationTheRunWasMadeWithIsPacked() throws Exception {
        Cli.Run r = ckl("submit", "--runs", runs.toString(), "--plugins", plugins.toString(), "--out", out.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(names(out)).contains("plugins/mine.external.json", "plugins/train.sh").doesNotContain("plugins/helper.py");
    }

    @Test
    void aFileListedSinceTheRunIsRefusedNotPackedUnchecked() throws Exception {
        declare("train.sh", "helper.py");
        refused("helper.py", "listed but not recorded by the run");
    }

    @Test
    void aFileTheRunRecordedButTheDeclarationNoLongerListsIsRefusedNotLeftOut() throws Exception {
        recorded(Map.of("train.sh", Hashing.sha256(plugins.resolve("train.sh")),
                "helper.py", Hashing.sha256(plugins.resolve("helper.py"))));
        refused("helper.py", "recorded by the run but no longer listed");
    }

    @Test
    void aScriptChangedSinceTheRunIsRefusedByName() throws Exception {
        Files.writeString(plugins.resolve("train.sh"), "#!/bin/sh\necho changed\n");
        refused("train.sh", "SHA-256");
    }

    /** lib/x.py, where lib links to a folder elsewhere: its file must not reach a public bundle, even with the SHA-256 recorded. */
    @Test
    void aFileBehindALinkedFolderIsNeverPacked() throws Exception {
        Path elsewhere = Files.createDirectories(tmp.resolve("elsewhere"));
        Files.writeString(elsewhere.resolve("x.py"), "SECRET = 'not for the bundle'\n");
        Files.createSymbolicLink(plugins.resolve("lib"), elsewhere);
        declare("train.sh", "lib/x.py");
        recorded(Map.of("train.sh", Hashing.sha256(plugins.resolve("train.sh")),
                "lib/x.py", Hashing.sha256(elsewhere.resolve("x.py"))));
        refused("lib/x.py", "symbolic link 'lib'");
    }
}
