package org.cklbench.site;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.cklbench.runfolder.InputFiles;
import org.cklbench.runfolder.LeaderboardSpec;
import org.cklbench.runfolder.MethodInfo;
import org.cklbench.runfolder.Replicates;
import org.cklbench.runfolder.RunConfig;
import org.cklbench.runfolder.RunFolder;
import org.cklbench.runfolder.RunProvenance;
import org.cklbench.runfolder.RunRecord;
import org.cklbench.runfolder.Summary;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Complete run folders of a demo benchmark, written through the run-folder API as a suite run writes them. */
final class RunFixture {
    static final ObjectMapper JSON = new ObjectMapper();
    static final LeaderboardSpec SPEC = spec("Acc", 1, null);

    private RunFixture() {
    }

    /** The demo spec with column label {@code label}, direction {@code better} and reported rows. */
    static LeaderboardSpec spec(String label, int better, LeaderboardSpec.Reported reported) {
        return new LeaderboardSpec("demo", "Demo", "hint",
                List.of(new LeaderboardSpec.Column("acc", label, null, "/acc", better, 3)), null,
                new LeaderboardSpec.Curve("curve", "x", "x", "y", null, null,
                        List.of(new LeaderboardSpec.Series("acc", "Acc")), null),
                reported, null, List.of(new LeaderboardSpec.ReferenceLine("floor", "Majority floor", "/floor", "acc",
                        null)), "finetune", "none");
    }

    /** A run of {@code method} at {@code seed} scoring {@code acc}, with floor 0.25, under {@code runs/name}. */
    static RunFolder run(Path runs, String name, String method, long seed, double acc) throws IOException {
        return run(runs, name, method, seed, acc, Map.of(), List.of());
    }

    static RunFolder run(Path runs, String name, String method, long seed, double acc, Map<String, Object> params,
                         List<MethodInfo> methods) throws IOException {
        RunFolder f = new RunFolder(Files.createDirectories(runs.resolve(name)));
        RunConfig config = new RunConfig("demo", "1", method, new TreeMap<>(params), "p",
                JSON.createObjectNode().put("epochs", 3), seed, "/m", "/data/world", "cpu", "default", 0);
        Map<String, InputFiles> inputs = new TreeMap<>();
        inputs.put("model", new InputFiles("/m", new TreeMap<>(Map.of("model.safetensors", "aaaa"))));
        inputs.put("data", new InputFiles("/data/world", new TreeMap<>(Map.of("probes.jsonl", "w0rld"))));
        RunProvenance prov = new RunProvenance(Map.of(), null, null, null, inputs, "2026-01-01T00:00:00Z", null,
                "2026-01-01T01:00:00Z");
        f.writeRun(new RunRecord(name, config, prov, methods, new TreeMap<>(), null));
        f.writeBenchmarkSpec(SPEC);
        f.writeMetrics(List.of(JSON.createObjectNode().put("x", 0).put("acc", acc)));
        f.writeSummary(Summary.of("demo", method, JSON.createObjectNode().put("acc", acc).put("floor", 0.25)));
        double[] reps = new double[20];
        for (int b = 0; b < reps.length; b++) {
            reps[b] = acc + 0.001 * b;
        }
        f.writeReplicates(new Replicates(reps.length, "test-scheme", Map.of("/acc", reps)));
        return f;
    }

    static ObjectNode tree(Path file) throws IOException {
        return (ObjectNode) JSON.readTree(file.toFile());
    }

    static void write(Path file, Object tree) throws IOException {
        Files.writeString(file, JSON.writeValueAsString(tree));
    }
}
