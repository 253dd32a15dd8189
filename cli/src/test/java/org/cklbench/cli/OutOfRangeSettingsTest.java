package org.cklbench.cli;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.cklbench.cli.Cli.ckl;

/**
 * Each value here once gave a run that ended "complete" with NaN, no training or an endless
 * evaluation, and reached the leaderboard. Now it is refused, naming the setting, before the run
 * folder exists.
 */
class OutOfRangeSettingsTest {
    @TempDir
    Path tmp;

    @ParameterizedTest(name = "{0} {1}={2}")
    @CsvSource(delimiter = '|', value = {
        "lama-ckl     | epochs=-1            | setting epochs",
        "lama-ckl     | epochs=0             | setting epochs",
        "lama-ckl     | lr=0                 | setting lr",
        "lama-ckl     | lr=NaN               | --set lr=NaN",
        "lama-ckl     | lr=-1e-3             | setting lr",
        "lama-ckl     | max_tokens=0         | setting max_tokens",
        "lama-ckl     | eval_batch_size=0    | setting eval_batch_size",
        "lama-ckl     | batch_size=0         | setting batch_size",
        "lama-ckl     | grad_accumulation=0  | setting batch_size",
        "lama-ckl     | lora_r=0             | setting lora_r",
        "lama-ckl     | lora_alpha=0         | setting lora_alpha",
        "lama-ckl     | lora_dropout=1       | setting lora_dropout",
        "lama-ckl     | warmup_ratio=1       | setting warmup_ratio",
        "lama-ckl     | weight_decay=-0.1    | setting weight_decay",
        "lama-ckl     | clip_norm=-1         | setting clip_norm",
        "lama-ckl     | schedule=step        | setting schedule",
        "lama-ckl     | task_form=riddle     | setting task_form",
        "lama-ckl     | loss=padded          | setting loss",
        "temporalwiki | loss=                 | setting loss",
        "temporalwiki | max_probes=-1        | setting max_probes",
        "temporalwiki | max_documents=-1     | setting max_documents",
        "temporalwiki | eval_batch_size=-4   | setting eval_batch_size",
    })
    void anOutOfRangeSettingIsRefusedBeforeTheRunFolderExists(String benchmark, String set, String message) throws Exception {
        Path out = tmp.resolve("out");
        Cli.Run r = ckl("run", "--benchmark", benchmark, "--method", "finetune", "--preset", "smoke", "--out",
                out.toString(), "--set", set);
        assertThat(r.code()).as("a value the command does not accept: a usage error").isEqualTo(2);
        assertThat(r.err()).contains(message);
        if (Files.exists(out)) {
            try (var written = Files.list(out)) {
                assertThat(written).as("nothing written").isEmpty();
            }
        }
    }

    /**
     * Sizes the smoke base (hidden 32, key/value 16, 512 positions, vocabulary 420) cannot hold: once
     * lora_r=1000000 grew to 16 GB without finishing a step, and the others ran as if they fit.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "lora_r=17                     | setting lora_r = 17: must be at most 16",
        "lora_r=1000000                | setting lora_r = 1000000: must be at most 16",
        "max_tokens=513                | setting max_tokens = 513: must be at most 512",
        "batch_size=100000000          | setting batch_size = 100000000",
        "eval_batch_size=100000000     | setting eval_batch_size = 100000000",
    })
    void aSizeTheModelCannotHoldIsRefusedBeforeTheRunFolderExists(String set, String message) throws Exception {
        Path out = tmp.resolve("out");
        Cli.Run r = ckl("run", "--benchmark", "lama-ckl", "--method", "finetune", "--preset", "smoke", "--out",
                out.toString(), "--set", "epochs=1", "--set", set);
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains(message);
        assertThat(out).doesNotExist();
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(delimiter = '|', value = {
        "rho1     | keep=NaN        | keep",
        "rho1     | keep=0          | keep",
        "recadam  | anneal_k=0      | anneal_k",
        "mixreview| ratio=-1        | ratio",
        "taalm    | ta_clip=-1      | ta_clip",
        "taalm    | ta_inner=lion   | ta_inner",
        "rho1     | ties=first      | ties",
    })
    void anOutOfRangeMethodParameterIsRefused(String method, String param, String message) {
        Cli.Run r = ckl("run", "--benchmark", "lama-ckl", "--method", method, "--preset", "smoke", "--out",
                tmp.resolve("out").toString(), "--param", param);
        assertThat(r.code()).as("a value the command does not accept: a usage error").isEqualTo(2);
        assertThat(r.err()).contains(message);
    }
}
