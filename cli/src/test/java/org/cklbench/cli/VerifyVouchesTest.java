package org.cklbench.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.cklbench.cli.Cli.ckl;
import static org.cklbench.cli.Cli.onlyRun;

/**
 * Issue 25, items 2, 3, 5 and 14: what {@code ckl verify} vouches for is exactly what it compared with the
 * run again, it never opens a path a submitted run.json names, follows no link in the run folder, and
 * says who verified where.
 */
class VerifyVouchesTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    private Path smokeRun(String out) throws Exception {
        Cli.Run r = ckl("run", "--benchmark", "lama-ckl", "--method", "finetune", "--preset", "smoke", "--threads", "2",
                "--set", "epochs=1", "--out", tmp.resolve(out).toString());
        assertThat(r.code()).as(r.err()).isZero();
        return onlyRun(tmp.resolve(out));
    }

    private static ObjectNode read(Path f) throws Exception {
        return (ObjectNode) JSON.readTree(f.toFile());
    }

    private static void write(Path f, JsonNode n) throws Exception {
        Files.writeString(f, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(n));
    }

    /** The forgery: replicates, run.json's model path and variant, benchmark.json's direction, labels and rows. */
    @Test
    void forgedBootstrapBenchmarkAndRunJsonAreNotVouchedFor() throws Exception {
        Path run = smokeRun("runs");
        // the input's path is the submitter's own account: a run again never opens it, so it is never vouched for,
        // and verification.json says so
        ObjectNode record = read(run.resolve("run.json"));
        ((ObjectNode) record.at("/provenance/inputs/model")).put("path", "/models/Llama-2-7b-hf");
        write(run.resolve("run.json"), record);
        Cli.Run honest = ckl("verify", run.toString(), "--scratch", tmp.resolve("s0").toString());
        assertThat(honest.code()).as(honest.err()).isZero();
        JsonNode first = read(run.resolve("verification.json"));
        assertThat(first.get("vouched").toString()).doesNotContain("Llama")
                .contains("metrics.jsonl", "summary.json", "bootstrap.json", "benchmark.json", "run.json");
        assertThat(first.get("not_vouched").toString()).contains("/provenance/inputs/model/path", "/config/model");
        assertThat(first.get("files_sha256").size()).isEqualTo(4);

        ObjectNode boot = read(run.resolve("bootstrap.json"));
        int forgedFields = 0;
        for (var it = boot.get("values").fields(); it.hasNext(); ) {
            var e = it.next();
            if (e.getKey().contains("top_acc")) {
                ArrayNode a = (ArrayNode) e.getValue();
                for (int i = 0; i < a.size(); i++) {
                    a.set(i, JSON.getNodeFactory().numberNode(5.0));
                }
                forgedFields++;
            }
        }
        assertThat(forgedFields).isPositive();
        write(run.resolve("bootstrap.json"), boot);

        record.putObject("variant").put("certified", "official-reference");
        write(run.resolve("run.json"), record);

        ObjectNode spec = read(run.resolve("benchmark.json"));
        spec.put("better", -1);
        forge(spec, "label", "Official Llama-2-7b leaderboard");
        forge(spec, "hint", "certified");
        assertThat(spec.toString()).contains("Official Llama-2-7b leaderboard");
        write(run.resolve("benchmark.json"), spec);

        Cli.Run v = ckl("verify", run.toString(), "--scratch", tmp.resolve("s").toString());
        assertThat(v.code()).as(v.err()).isEqualTo(1);
        JsonNode verification = read(run.resolve("verification.json"));
        assertThat(verification.get("verdict").asText()).isEqualTo("failed");
        String problems = verification.get("problems").toString();
        assertThat(problems).contains("bootstrap.json", "top_acc", "benchmark.json", "better", "run.json", "variant");
        // a failed verification vouches for nothing
        assertThat(verification.path("vouched").size()).isZero();
        assertThat(verification.path("files_sha256").size()).isZero();

        Path site = tmp.resolve("site");
        assertThat(ckl("site", "build", "--runs", tmp.resolve("runs").toString(), "--out", site.toString()).code()).isZero();
        assertThat(Files.readString(site.resolve("index.html"))).doesNotContain("data-verified=\"true\"");
    }

    /** Sets every field {@code name} anywhere under {@code n} to {@code value}. */
    private static void forge(JsonNode n, String name, String value) {
        if (n instanceof ObjectNode o) {
            if (o.has(name) && o.get(name).isTextual()) {
                o.put(name, value);
            }
            o.fields().forEachRemaining(e -> forge(e.getValue(), name, value));
        } else if (n instanceof ArrayNode a) {
            a.forEach(x -> forge(x, name, value));
        }
    }

    /**
     * config.model naming a password file and config.data a system folder: neither is opened (the run again takes
     * its inputs from CKL_HOME, matched by the recorded hashes), and nothing about them is written; verify says
     * who verified, and where by an identifier, not a host name; a link in the folder is refused.
     */
    @Test
    void pathsInASubmittedRunJsonAreNeverOpenedAndTheVerifierIsNamed() throws Exception {
        Path run = smokeRun("runs");
        Path secret = tmp.resolve("shadow");
        Files.writeString(secret, "root:$6$salt$hash:19000:0:99999:7:::\n");
        Path etc = Files.createDirectories(tmp.resolve("etc"));
        Files.writeString(etc.resolve("private-listing-name.conf"), "x");
        ObjectNode record = read(run.resolve("run.json"));
        ((ObjectNode) record.get("config")).put("model", secret.toString()).put("data", etc.toString());
        write(run.resolve("run.json"), record);

        Cli.Run v = ckl("verify", run.toString(), "--scratch", tmp.resolve("s").toString());
        assertThat(v.code()).as(v.err()).isZero();
        String verification = Files.readString(run.resolve("verification.json"));
        assertThat(verification).doesNotContain(org.cklbench.io.Hashing.sha256(secret), "private-listing-name");
        assertThat(v.out() + v.err()).doesNotContain(org.cklbench.io.Hashing.sha256(secret), "private-listing-name");
        JsonNode ver = JSON.readTree(verification);
        assertThat(ver.get("verified_by").asText()).isEqualTo(System.getProperty("user.name")); // without --by
        assertThat(ver.at("/machine/id").asText()).hasSize(16);
        assertThat(ver.at("/machine/host").isMissingNode()).isTrue();
        assertThat(verification).doesNotContain(java.net.InetAddress.getLocalHost().getHostName() + "\"");

        Path site = tmp.resolve("site");
        assertThat(ckl("site", "build", "--runs", tmp.resolve("runs").toString(), "--out", site.toString()).code()).isZero();
        assertThat(Files.readString(site.resolve("index.html"))).contains("data-verified=\"true\"");
        assertThat(Files.readString(site.resolve("runs").resolve(run.getFileName() + ".html")))
                .contains("by " + System.getProperty("user.name"));

        // run --from: the same, without --model or --data
        Cli.Run again = ckl("run", "--from", run.toString(), "--out", tmp.resolve("again").toString());
        assertThat(again.code()).as(again.err()).isZero();
        assertThat(Files.readString(onlyRun(tmp.resolve("again")).resolve("run.json")))
                .doesNotContain(secret.toString(), etc.toString());

        // a linked predictions/ is refused by verify and not read by the site
        Path preds = run.resolve("predictions");
        Path moved = Files.move(preds, tmp.resolve("elsewhere"));
        try (var s = Files.list(moved)) {
            for (Path f : s.toList()) {
                Files.writeString(f, Files.readString(f).replace("\"uuid\":\"", "\"uuid\":\"LEAKED-"));
            }
        }
        Files.createSymbolicLink(preds, moved);
        Cli.Run linked = ckl("verify", run.toString(), "--scratch", tmp.resolve("s2").toString());
        assertThat(linked.code()).isEqualTo(1);
        assertThat(linked.err()).contains("predictions", "symbolic link");
        Path site2 = tmp.resolve("site2");
        assertThat(ckl("site", "build", "--runs", tmp.resolve("runs").toString(), "--out", site2.toString()).code()).isZero();
        try (var s = Files.walk(site2)) {
            for (Path f : s.filter(Files::isRegularFile).toList()) {
                assertThat(Files.readString(f)).as(f.toString()).doesNotContain("LEAKED-");
            }
        }
    }

    @Test
    void aVerificationWithoutItsVerifierIsNotShownAsVerified() throws Exception {
        // what an older ckl verify (or a hand) wrote: a passing verdict, but no record of who vouched for what
        Path run = smokeRun("runs");
        Cli.Run v = ckl("verify", run.toString(), "--by", "maintainer-x", "--scratch", tmp.resolve("s").toString());
        assertThat(v.code()).as(v.err()).isZero();
        ObjectNode ver = read(run.resolve("verification.json"));
        assertThat(ver.get("verified_by").asText()).isEqualTo("maintainer-x");
        Path shown = tmp.resolve("site0");
        assertThat(ckl("site", "build", "--runs", tmp.resolve("runs").toString(), "--out", shown.toString()).code()).isZero();
        assertThat(Files.readString(shown.resolve("runs").resolve(run.getFileName() + ".html"))).contains("by maintainer-x",
                "vouches for", "<code>bootstrap.json</code>", "<code>run.json</code>", "<code>/config/model</code>");
        ver.remove(List.of("verified_by", "vouched"));
        write(run.resolve("verification.json"), ver);
        Path site = tmp.resolve("site");
        assertThat(ckl("site", "build", "--runs", tmp.resolve("runs").toString(), "--out", site.toString()).code()).isZero();
        assertThat(Files.readString(site.resolve("index.html"))).doesNotContain("data-verified=\"true\"");
    }
}
