package org.cklbench.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.cklbench.cli.Cli.ckl;

/**
 * TAALM's Train-Attention model follows the run's seed (issue 24): two seeds meta-train two models, and
 * TAALM and its combinations of one seed reuse one.
 */
class TaSeedPreparationTest {
    @TempDir
    Path tmp;

    private JsonNode run(String method, int seed) throws Exception {
        Path out = tmp.resolve(method + "-" + seed);
        Cli.Run r = ckl("run", "--benchmark", "lama-ckl", "--method", method, "--preset", "smoke", "--threads", "1",
                "--seed", Integer.toString(seed), "--out", out.toString());
        assertThat(r.code()).as(r.err()).isZero();
        Path dir = Cli.onlyRun(out);
        assertThat(dir.resolve("timings.json")).as("where the run's time went").isRegularFile();
        return new ObjectMapper().readTree(dir.resolve("run.json").toFile());
    }

    private static String phi(JsonNode run) {
        return run.path("provenance").path("inputs").path("taalm.train-attention").path("path").asText();
    }

    @Test
    void eachSeedMetaTrainsItsOwnModelAndOneSeedReusesIt() throws Exception {
        JsonNode taalm2 = run("taalm", 2);
        JsonNode taalm3 = run("taalm", 3);
        JsonNode kadapter2 = run("taalm+kadapter", 2);
        assertThat(phi(taalm2)).isNotEmpty();
        assertThat(phi(taalm2)).isNotEqualTo(phi(taalm3));
        assertThat(phi(kadapter2)).isEqualTo(phi(taalm2));
        assertThat(taalm3.path("config").path("method_params").path("ta_seed").asInt()).isEqualTo(3);
        // the two models differ in their weights, not only in their folders
        assertThat(taalm2.path("provenance").path("inputs").path("taalm.train-attention").path("sha256"))
                .isNotEqualTo(taalm3.path("provenance").path("inputs").path("taalm.train-attention").path("sha256"));
    }
}
