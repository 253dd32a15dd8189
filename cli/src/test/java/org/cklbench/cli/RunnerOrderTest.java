package org.cklbench.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.cklbench.cli.Cli.ckl;

/**
 * What a run does first (issue 28): it takes its folder's lock and looks at what the folder holds before
 * its inputs are made, prepared or hashed, and a run that fails before writing anything leaves no folder.
 */
class RunnerOrderTest {
    @TempDir
    Path tmp;

    @Test
    void aCompleteRunIsHandedBackWithoutItsPreparationBeingLookedAt() throws Exception {
        String[] run = {"run", "--benchmark", "lama-ckl", "--method", "taalm", "--preset", "smoke", "--seed", "7",
                "--out", tmp.resolve("out").toString(), "--resume"};
        Cli.Run first = ckl(run);
        assertThat(first.code()).as(first.err()).isZero();
        Path dir = Cli.onlyRun(tmp.resolve("out"));
        Path phi = Path.of(new ObjectMapper().readTree(dir.resolve("run.json").toFile())
                .at("/provenance/inputs/taalm.train-attention/path").asText());
        // the preparation's mark of being finished: without it, a preparation would meta-train again
        Path done = phi.getParent().resolve("done");
        assertThat(done).isRegularFile();
        Files.delete(done);
        String metrics = Files.readString(dir.resolve("metrics.jsonl"));
        try {
            Cli.Run again = ckl(run);
            assertThat(again.code()).as(again.err()).isZero();
            assertThat(done).as("the complete run came back before any preparation ran").doesNotExist();
            assertThat(Files.readString(dir.resolve("metrics.jsonl"))).isEqualTo(metrics);
        } finally {
            Files.writeString(done, phi.getParent().relativize(phi) + "\n");
        }
    }

    @Test
    void aRunWhoseInputsCannotBeMadeLeavesNoFolder() throws Exception {
        Path empty = Files.createDirectories(tmp.resolve("empty-data"));
        Path out = tmp.resolve("out");
        Cli.Run r = ckl("run", "--benchmark", "lama-ckl", "--method", "finetune", "--preset", "smoke", "--data",
                empty.toString(), "--out", out.toString());
        assertThat(r.code()).isNotZero();
        if (Files.exists(out)) {
            try (var s = Files.list(out)) {
                assertThat(s.toList()).as("no run folder, not even one holding only its lock").isEmpty();
            }
        }
    }
}
