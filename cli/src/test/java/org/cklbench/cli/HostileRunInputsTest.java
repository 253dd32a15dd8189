package org.cklbench.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.cklbench.cli.Cli.ckl;
import static org.cklbench.cli.Cli.onlyRun;

/** Issue 25's run-side cases: careless or hostile data, models and settings given to ckl run. */
class HostileRunInputsTest {
    @TempDir
    Path tmp;

    private static final String[] SMOKE = {"run", "--benchmark", "lama-ckl", "--method", "finetune", "--preset", "smoke",
        "--threads", "2", "--set", "epochs=1"};

    static String[] with(String[] base, String... more) {
        String[] out = java.util.Arrays.copyOf(base, base.length + more.length);
        System.arraycopy(more, 0, out, base.length, more.length);
        return out;
    }

    /** A copy of the smoke preset's LAMA-CKL data folder, to edit. */
    private Path dataCopy() throws Exception {
        Cli.Run warm = ckl(with(SMOKE, "--out", tmp.resolve("warm").toString()));
        assertThat(warm.code()).as(warm.err()).isZero();
        Path data = Path.of(new ObjectMapper().readTree(onlyRun(tmp.resolve("warm")).resolve("run.json").toFile())
                .at("/provenance/inputs/to_learn/path").asText()).getParent();
        Path copy = Files.createDirectories(tmp.resolve("data"));
        for (String f : List.of("variant.jsonl", "invariant_descriptive.jsonl", "invariant_schematic.jsonl")) {
            Files.copy(data.resolve(f), copy.resolve(f));
        }
        return copy;
    }

    /** Once the old run came back, exit 0, from --resume and from --run-dir (what a sweep task runs). */
    @Test
    void aCompleteRunOfDataChangedSinceIsNeverHandedBack() throws Exception {
        Path data = dataCopy();
        Path dir = tmp.resolve("exact");
        Cli.Run first = ckl(with(SMOKE, "--data", data.toString(), "--run-dir", dir.toString()));
        assertThat(first.code()).as(first.err()).isZero();
        List<String> rows = Files.readAllLines(data.resolve("variant.jsonl"));
        Files.write(data.resolve("variant.jsonl"), rows.subList(0, rows.size() - 1));

        Cli.Run again = ckl(with(SMOKE, "--data", data.toString(), "--run-dir", dir.toString()));
        assertThat(again.code()).isEqualTo(1);
        assertThat(again.err()).contains(data.resolve("variant.jsonl") + " changed").contains("new folder")
                .contains("remove " + dir);
        Cli.Run resumed = ckl(with(SMOKE, "--data", data.toString(), "--out", dir.toString(), "--resume"));
        assertThat(resumed.code()).isEqualTo(1);
        assertThat(resumed.err()).contains(data.resolve("variant.jsonl") + " changed");
    }
}
