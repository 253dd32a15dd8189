package org.cklbench.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.cklbench.cli.Cli.ckl;

/** ckl sweep --executor local: runs in worker processes, a failure reported with its reason, only it retried. */
class LocalSweepTest {
    @TempDir
    Path tmp;

    @Test
    void runsTheGridWithWorkersReportsAFailureAndRetriesOnlyIt() throws Exception {
        Path grid = tmp.resolve("grid.json");
        // a data folder without the benchmark's files passes the grid's checks and fails when its run starts
        Files.createDirectories(tmp.resolve("empty-data"));
        Files.writeString(grid, """
                {"benchmark": "lama-ckl", "method": "finetune", "preset": "smoke", "threads": 1,
                 "grids": [{"seed": [1, 2]}, {"seed": 3, "data": "empty-data"}]}""");
        Path out = tmp.resolve("sweep");
        Cli.Run first = ckl("sweep", "--grid", grid.toString(), "--out", out.toString(), "--workers", "2");
        assertThat(first.code()).as("a run failed").isEqualTo(1);
        List<String> ids = ids(out);
        assertThat(ids).hasSize(3);
        assertThat(out.resolve(ids.get(0)).resolve("summary.json")).as(first.err()).exists();
        assertThat(out.resolve(ids.get(1)).resolve("summary.json")).exists();
        assertThat(out.resolve("site/runs/" + ids.get(0) + ".html")).exists();
        String failedLine = first.out().lines().filter(l -> l.startsWith(ids.get(2))).findFirst().orElseThrow();
        assertThat(failedLine).contains("failed", "empty-data", out.resolve(".sweep/logs/" + ids.get(2) + ".log").toString());

        Cli.Run status = ckl("sweep", "status", "--out", out.toString(), "--json");
        JsonNode runs = new ObjectMapper().readTree(status.out()).get("runs");
        assertThat(runs.get(0).get("state").asText()).isEqualTo("done");
        assertThat(runs.get(2).get("state").asText()).isEqualTo("failed");

        Cli.Run again = ckl("sweep", "--grid", grid.toString(), "--out", out.toString(), "--workers", "2");
        assertThat(again.err()).contains("3 run(s): 2 done, 0 running, 0 queued, 1 to run");
        List<String> lines = Files.readAllLines(out.resolve(".sweep/submissions.jsonl"));
        assertThat(new ObjectMapper().readTree(lines.get(lines.size() - 1)).get("tasks").toString())
                .isEqualTo("[\"" + ids.get(2) + "\"]");
    }

    @Test
    void aFolderThatIsNotASweepIsNamed() {
        Cli.Run r = ckl("sweep", "status", "--out", tmp.toString());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("is not a sweep folder");
    }

    private static List<String> ids(Path out) throws Exception {
        List<String> ids = new java.util.ArrayList<>();
        new ObjectMapper().readTree(out.resolve(".sweep/runs.json").toFile()).forEach(n -> ids.add(n.get("id").asText()));
        return ids;
    }
}
