package org.cklbench.runfolder;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The run-folder records: their JSON names and order, their round trips, and the run id's hash. */
class RunRecordsTest {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    @TempDir
    Path tmp;

    static RunConfig config(ObjectNode settings, long seed) {
        TreeMap<String, Object> params = new TreeMap<>(Map.of("keep", 0.4, "ta", "auto"));
        return new RunConfig("lama-ckl", "3", "taalm", params, "smoke", settings, seed, null, null, "cpu", "default", 0);
    }

    static ObjectNode settings() {
        return NODES.objectNode().put("lr", 1e-3).put("batch_size", 4);
    }

    static RunRecord record() {
        RunConfig c = config(settings(), 1);
        RunProvenance p = new RunProvenance(Map.of("suite", "0.1.0"), "built-in", Map.of("taalm", "built-in"),
                Map.of(), Map.of("data", new InputFiles("/data", new TreeMap<>(Map.of("a.jsonl", "00ff")))),
                "2026-12-07T00:00:00Z", null, null);
        MethodInfo m = new MethodInfo("taalm", "Train-Attention", "built-in",
                List.of(new MethodInfo.Parameter("keep", "double in (0, 1]", "0.4", "share kept")));
        return new RunRecord(c.id(), c, p, List.of(m), new TreeMap<>(Map.of("keep", 0.4)), Map.of("rows_per_step", 4));
    }

    static LeaderboardSpec spec() {
        LeaderboardSpec.Column acc = new LeaderboardSpec.Column("top_acc", "Top Acc", null, "/top_acc", 1, 3);
        return new LeaderboardSpec("lama-ckl", "LAMA-ckl", "a hint", List.of(acc), List.of(acc),
                new LeaderboardSpec.Curve("curve", "epoch", "epoch", "accuracy", 0.0, null,
                        List.of(new LeaderboardSpec.Series("acc", "Acc")), null),
                new LeaderboardSpec.Reported("the paper", "Llama-2-7B",
                        List.of(new LeaderboardSpec.ReportedRow("taalm", "TAALM", Map.of("top_acc", 0.4), null))),
                null, List.of(new LeaderboardSpec.ReferenceLine("floor", "majority", "/floor", "top_acc", null)));
    }

    /** The run id is the configuration's hash: the same whatever order built it, different for any change. */
    @Test
    void theRunIdIsTheHashOfTheCanonicalConfiguration() {
        ObjectNode reordered = NODES.objectNode().put("batch_size", 4).put("lr", 1e-3);
        String id = config(settings(), 1).id();
        assertThat(id).matches("lama-ckl_taalm_smoke_s1_[0-9a-f]{12}");
        assertThat(config(reordered, 1).id()).isEqualTo(id);
        assertThat(config(settings(), 2).id()).startsWith("lama-ckl_taalm_smoke_s2_")
                .doesNotEndWith(id.substring(id.length() - 12));
        assertThat(config(settings().put("lr", 2e-3), 1).id()).isNotEqualTo(id);
        assertThat(Json.canonical(Map.of("b", 1, "a", Map.of("d", 2, "c", 3)))).isEqualTo("{\"a\":{\"c\":3,\"d\":2},\"b\":1}");
    }

    /** run.json keeps its field names and order, leaves absent fields out, and reads back to the same id. */
    @Test
    void runJsonIsWrittenInTheSchemasNamesAndReadsBack() throws IOException {
        RunFolder f = new RunFolder(tmp);
        f.writeRun(record());
        JsonNode json = Json.FILES.readTree(tmp.resolve(RunFolder.RUN).toFile());
        assertThat(json.fieldNames()).toIterable().containsExactly("id", "config", "provenance", "methods", "variant",
                "training");
        assertThat(json.get("config").fieldNames()).toIterable().containsExactly("benchmark", "benchmark_version",
                "method", "method_params", "preset", "settings", "seed", "model", "data", "device", "dtype", "threads");
        assertThat(json.get("provenance").has("resumed")).as("null fields are left out").isFalse();
        assertThat(json.get("provenance").path("inputs").path("data").path("sha256").path("a.jsonl").asText())
                .isEqualTo("00ff");
        assertThat(json.get("methods").get(0).has("note")).isFalse();
        RunRecord back = f.run();
        assertThat(back).isEqualTo(record());
        assertThat(back.config().id()).isEqualTo(back.id());
        assertThat(back.withProvenance(back.provenance().withFinished("later")).provenance().finished()).isEqualTo("later");
        assertThat(back.withTraining(Map.of()).training()).isEmpty();
    }

    /** A file written by a newer suite, with fields this one does not know, still reads. */
    @Test
    void unknownFieldsAreTolerated() throws IOException {
        RunFolder f = new RunFolder(tmp);
        f.writeRun(record());
        ObjectNode json = (ObjectNode) Json.FILES.readTree(tmp.resolve(RunFolder.RUN).toFile());
        json.put("from_the_future", true);
        ((ObjectNode) json.get("config")).put("new_knob", 3);
        Files.writeString(tmp.resolve(RunFolder.RUN), json.toString());
        assertThat(f.run()).isEqualTo(record());
    }

    /** summary.json: benchmark and method first, then the benchmark's own figures in the order they were given. */
    @Test
    void aSummaryKeepsItsFiguresInOrder() throws IOException {
        ObjectNode v = NODES.objectNode().put("zeta", 1).put("alpha", 2);
        v.putObject("periods").put("0910", 0.5);
        new RunFolder(tmp).writeSummary(Summary.of("temporalwiki", "rho1", v));
        JsonNode json = Json.FILES.readTree(tmp.resolve(RunFolder.SUMMARY).toFile());
        assertThat(json.fieldNames()).toIterable().containsExactly("benchmark", "method", "zeta", "alpha", "periods");
        Summary back = new RunFolder(tmp).summary();
        assertThat(back.values().keySet()).containsExactly("zeta", "alpha", "periods");
        assertThat(back.at("/periods/0910").asDouble()).isEqualTo(0.5);
        assertThat(back.at("/benchmark").asText()).isEqualTo("temporalwiki");
    }

    /** benchmark.json round-trips, and a spec that fails validation is refused naming the file. */
    @Test
    void theLeaderboardSpecRoundTripsAndABadOneIsNamed() throws IOException {
        RunFolder f = new RunFolder(tmp);
        f.writeBenchmarkSpec(spec());
        assertThat(f.benchmarkSpec()).isEqualTo(spec());
        JsonNode json = Json.FILES.readTree(tmp.resolve(RunFolder.BENCHMARK).toFile());
        assertThat(json.get("columns").get(0).has("short_label")).isFalse();
        assertThat(json.get("curve").get("y_min").asDouble()).isEqualTo(0.0);
        ObjectNode bad = (ObjectNode) json.deepCopy();
        ((ObjectNode) bad.get("columns").get(0)).put("better", 2);
        Files.writeString(tmp.resolve(RunFolder.BENCHMARK), bad.toString());
        assertThatThrownBy(f::benchmarkSpec).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(tmp.resolve(RunFolder.BENCHMARK).toString()).hasMessageContaining("better");
        ObjectNode badRef = (ObjectNode) json.deepCopy();
        ((ObjectNode) badRef.get("references").get(0)).put("column", "nope");
        Files.writeString(tmp.resolve(RunFolder.BENCHMARK), badRef.toString());
        assertThatThrownBy(f::benchmarkSpec).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("nope");
    }

    @Test
    void aColumnFormatsItsMeanAndSpread() {
        LeaderboardSpec.Column c = new LeaderboardSpec.Column("k", "A long label", "short", "/k", 1, 0);
        assertThat(c.format(0.4, 0.125, 1)).isEqualTo("0");
        assertThat(c.format(0.4, 0.125, 3)).isEqualTo("0.4 ± 0.1");
        // an interval's bound of -0.3 epochs is "0", as the site and the terminal show it; -0.6 stays negative
        assertThat(c.format(-0.3, 0, 1)).isEqualTo("0");
        assertThat(c.format(-0.6, 0, 1)).isEqualTo("-1");
        assertThat(LeaderboardSpec.Column.decimals(-0.0004, 3)).isEqualTo("0.000");
        assertThat(LeaderboardSpec.Column.decimals(-0.0006, 3)).isEqualTo("-0.001");
        assertThat(c.terminalLabel()).isEqualTo("short");
        assertThat(new LeaderboardSpec.Column("k", "label", null, "/k", 1, 2).terminalLabel()).isEqualTo("label");
    }

    /** What verify vouches for in run.json: everything but the submitter's own account (paths, times, software). */
    @Test
    void theVouchedViewOfRunJsonLeavesOutPathsAndTimesOnly() throws IOException {
        RunFolder f = new RunFolder(tmp);
        f.writeRun(record());
        JsonNode run = Json.FILES.readTree(tmp.resolve(RunFolder.RUN).toFile());
        List<String> out = VouchedRunJson.notVouched(run, List.of("ta"));
        assertThat(out).contains("/config/method_params/ta", "/methods/0/origin", "/provenance/inputs/data/path",
                "/provenance/started");
        ObjectNode view = VouchedRunJson.view(run, out);
        assertThat(view.at("/config/method_params").has("ta")).isFalse();
        assertThat(view.at("/config/method_params/keep").asDouble()).isEqualTo(0.4);
        assertThat(view.at("/provenance/inputs/data/sha256/a.jsonl").asText()).isEqualTo("00ff");
        assertThat(view.at("/provenance").has("started")).isFalse();
        String hash = VouchedRunJson.sha256(tmp.resolve(RunFolder.RUN), out);
        RunRecord moved = record().withProvenance(new RunProvenance(Map.of("suite", "9.9"), "elsewhere", Map.of(), Map.of(),
                Map.of("data", new InputFiles("/other/data", new TreeMap<>(Map.of("a.jsonl", "00ff")))), "2030-01-01", null,
                "2030-01-02"));
        f.writeRun(new RunRecord(record().id(), record().config(), moved.provenance(), List.of(new MethodInfo("taalm",
                "Train-Attention", "/jars/x.jar", record().methods().get(0).parameters())), record().variant(),
                record().training()));
        assertThat(VouchedRunJson.sha256(tmp.resolve(RunFolder.RUN), out)).as("only unvouched fields changed").isEqualTo(hash);
        f.writeRun(record().withTraining(Map.of("rows_per_step", 8)));
        assertThat(VouchedRunJson.sha256(tmp.resolve(RunFolder.RUN), out)).as("a vouched field changed").isNotEqualTo(hash);
    }
}
