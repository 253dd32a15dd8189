package org.cklbench.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.cklbench.cli.Cli.ckl;

/**
 * Every built-in method and the paper's combinations complete a smoke run of both benchmarks. That a method's
 * hooks change what is trained is each method's own test (TAALM's weights reaching the loss and the gradient:
 * TokenWeightMethodsTest), since a run that ignored them would complete here all the same.
 */
class EveryMethodSmokeTest {
    @TempDir
    Path tmp;

    /** The methods each benchmark runs. */
    static Stream<String> methods() {
        return Stream.of("finetune", "kadapter", "recadam", "mixreview", "rho1", "oracle", "lead", "taalm",
                "taalm+kadapter", "taalm+recadam", "taalm+mixreview");
    }

    /** The summary of a smoke run of {@code method} on {@code benchmark}, which must complete. */
    private JsonNode smokeRun(String benchmark, String method) throws Exception {
        Cli.Run r = ckl("run", "--benchmark", benchmark, "--method", method, "--preset", "smoke", "--threads", "2",
                "--out", tmp.toString());
        assertThat(r.code()).as(r.err()).isZero();
        JsonNode summary = new ObjectMapper().readTree(Cli.onlyRun(tmp).resolve("summary.json").toFile());
        assertThat(summary.get("method").asText()).isEqualTo(method);
        return summary;
    }

    @ParameterizedTest
    @MethodSource("methods")
    void completesASmokeRun(String method) throws Exception {
        assertThat(smokeRun("lama-ckl", method).get("epochs_evaluated").asInt()).isEqualTo(5);
    }

    @ParameterizedTest
    @MethodSource("methods")
    void completesATemporalWikiSmokeRun(String method) throws Exception {
        JsonNode summary = smokeRun("temporalwiki", method);
        for (String p : new String[] {"0910", "1011", "1112"}) {
            JsonNode period = summary.path("periods").path(p);
            assertThat(period.get("un").asDouble()).isPositive();
            assertThat(period.get("c").asDouble()).isPositive();
            assertThat(period.get("avg").asDouble()).isCloseTo((period.get("un").asDouble() + period.get("c").asDouble()) / 2,
                    org.assertj.core.data.Offset.offset(1e-9));
        }
    }
}
