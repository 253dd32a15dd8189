package org.cklbench.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.cklbench.cli.Cli.ckl;

/** Every built-in method and the paper's combinations complete a LAMA-ckl smoke run. */
class EveryMethodSmokeTest {
    @TempDir
    Path tmp;

    @ParameterizedTest
    @ValueSource(strings = {"finetune", "kadapter", "recadam", "mixreview", "rho1", "oracle", "taalm",
        "taalm+kadapter", "taalm+recadam", "taalm+mixreview"})
    void completesASmokeRun(String method) throws Exception {
        Cli.Run r = ckl("run", "--benchmark", "lama-ckl", "--method", method, "--preset", "smoke", "--threads", "2",
                "--out", tmp.toString());
        assertThat(r.code()).as(r.err()).isZero();
        JsonNode summary = new ObjectMapper().readTree(Cli.onlyRun(tmp).resolve("summary.json").toFile());
        assertThat(summary.get("method").asText()).isEqualTo(method);
        assertThat(summary.get("epochs_evaluated").asInt()).isEqualTo(4);
    }
}
