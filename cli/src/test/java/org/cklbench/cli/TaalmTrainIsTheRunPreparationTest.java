package org.cklbench.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.cklbench.core.method.MethodParams;
import org.cklbench.io.Hashing;
import org.cklbench.methods.taalm.Taalm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.cklbench.cli.Cli.ckl;

/**
 * {@code ckl taalm train} meta-trains as a taalm run's preparation does (issue 28): the same settings
 * for the same parameters (once, with --inner sgd, the command kept its dummy steps and the run took
 * none), and, run on a run's own base and split with that run's parameters, the same φ, byte for byte
 * (once the command computed in the engine's dtype and the preparation in float32).
 */
class TaalmTrainIsTheRunPreparationTest {
    @TempDir
    Path tmp;

    private static final Map<String, String> OPTION = Map.ofEntries(Map.entry("ta_epochs", "--epochs"),
            Map.entry("ta_batch_size", "--batch-size"), Map.entry("ta_lr", "--outer-lr"), Map.entry("ta_inner", "--inner"),
            Map.entry("ta_inner_lr", "--inner-lr"), Map.entry("ta_dummy_steps", "--dummy-steps"),
            Map.entry("ta_lora_r", "--lora-r"), Map.entry("ta_lora_alpha", "--lora-alpha"),
            Map.entry("ta_max_tokens", "--max-tokens"), Map.entry("ta_validate_every", "--validate-every"),
            Map.entry("ta_validation_share", "--validation-share"), Map.entry("ta_clip", "--clip"),
            Map.entry("ta_head_init", "--head-init"), Map.entry("ta_seed", "--seed"));

    private static TaalmCommand.Train parsed(String... args) {
        TaalmCommand.Train t = new TaalmCommand.Train();
        new CommandLine(t).parseArgs(args);
        return t;
    }

    private static MethodParams run(Map<String, String> given) {
        Taalm taalm = new Taalm();
        return MethodParams.resolve("taalm", taalm.parameters(), Map.of(), given);
    }

    @Test
    void theCommandsOptionsGiveTheSettingsOfTheRunsParameters() throws Exception {
        String phi = Files.createDirectories(tmp.resolve("phi")).toString();
        String adapter = Files.createDirectories(tmp.resolve("adapter")).toString();
        String[] common = {"--model", "m", "--data", "d", "--out", "o"};
        assertThat(Taalm.settings(parsed(common).params())).isEqualTo(Taalm.settings(run(Map.of("ta_seed", "1"))));
        List<String> sgd = new ArrayList<>(List.of(common));
        sgd.addAll(List.of("--inner", "sgd", "--dummy-steps", "3", "--inner-lr", "0.01", "--seed", "4"));
        assertThat(Taalm.settings(parsed(sgd.toArray(String[]::new)).params())).isEqualTo(Taalm.settings(
                run(Map.of("ta_inner", "sgd", "ta_dummy_steps", "3", "ta_inner_lr", "0.01", "ta_seed", "4"))));
        assertThat(Taalm.settings(parsed(sgd.toArray(String[]::new)).params()).inner().dummySteps())
                .as("plain SGD takes no graph-free steps, in a run and in the command").isZero();
        List<String> own = new ArrayList<>(List.of(common));
        own.addAll(List.of("--base", phi, "--init-adapter", adapter, "--inner", "reference", "--clip", "0"));
        assertThat(Taalm.settings(parsed(own.toArray(String[]::new)).params())).isEqualTo(Taalm.settings(run(Map.of(
                "ta_base", phi, "init_adapter", adapter, "ta_inner", "reference", "ta_clip", "0", "ta_seed", "1"))));
    }

    @Test
    void givenARunsParametersTheCommandMakesThePhiTheRunPrepared() throws Exception {
        Path out = tmp.resolve("runs");
        Cli.Run r = ckl("run", "--benchmark", "lama-ckl", "--method", "taalm", "--preset", "smoke", "--seed", "5",
                "--param", "taalm.ta_inner=sgd", "--param", "taalm.ta_dummy_steps=2", "--out", out.toString());
        assertThat(r.code()).as(r.err()).isZero();
        JsonNode run = new ObjectMapper().readTree(Cli.onlyRun(out).resolve("run.json").toFile());
        JsonNode inputs = run.path("provenance").path("inputs");
        Path prepared = Path.of(inputs.path("taalm.train-attention").path("path").asText());
        List<String> args = new ArrayList<>(List.of("taalm", "train", "--model", inputs.path("model").path("path").asText(),
                "--split", inputs.path("meta_training").path("path").asText(), "--out", tmp.resolve("cmd").toString()));
        run.path("config").path("method_params").fields().forEachRemaining(p -> {
            String option = OPTION.get(p.getKey());
            if (option != null) {
                args.add(option);
                args.add(p.getValue().asText());
            }
        });
        assertThat(args).contains("--inner", "sgd", "--dummy-steps", "2", "--seed", "5");
        Cli.Run cmd = ckl(args.toArray(String[]::new));
        assertThat(cmd.code()).as(cmd.err()).isZero();
        Path best = tmp.resolve("cmd").resolve("best");
        assertThat(files(best)).isNotEmpty().isEqualTo(files(prepared));
    }

    /** SHA-256 of each file under {@code dir}, by relative path. */
    private static Map<String, String> files(Path dir) throws Exception {
        Map<String, String> out = new TreeMap<>();
        try (var s = Files.walk(dir)) {
            for (Path f : s.filter(Files::isRegularFile).toList()) {
                out.put(dir.relativize(f).toString(), Hashing.sha256(f));
            }
        }
        return out;
    }
}
