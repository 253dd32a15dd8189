package org.cklbench.runfolder;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A run folder as its writer and its readers see it: whole files replaced atomically, what is written read
 * back, a run complete once its summary is written, and every file someone else wrote read with bounds and
 * refused with an error that names the file (and the line, for JSON Lines).
 */
class RunFolderTest {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    @TempDir
    Path tmp;

    private static ObjectNode line(String key, double value) {
        return NODES.objectNode().put("epoch", 1).put(key, value);
    }

    private static Summary summary(double acc) {
        ObjectNode v = NODES.objectNode().put("top_acc", acc);
        v.putObject("periods").putObject("0910").put("un", 0.25).put("c", 0.5);
        return Summary.of("lama-ckl", "finetune", v);
    }

    /** The files a write left in the folder besides {@code keep}: a temporary file left behind would show here. */
    private static List<String> othersThan(Path dir, String... keep) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> !List.of(keep).contains(n)).sorted().toList();
        }
    }

    @Test
    void aRunIsCompleteOnlyOnceItsSummaryIsWritten() throws IOException {
        RunFolder f = new RunFolder(tmp.resolve("run"));
        assertThat(f.exists()).isFalse();
        assertThat(f.complete()).isFalse();
        f.writeRun(RunRecordsTest.record());
        f.writeMetrics(List.of(line("acc", 0.5)));
        f.writeBenchmarkSpec(RunRecordsTest.spec());
        assertThat(f.exists()).isTrue();
        assertThat(f.complete()).as("run.json, metrics and benchmark.json but no summary: killed before the end").isFalse();
        f.writeSummary(summary(0.5));
        assertThat(f.complete()).isTrue();
        assertThat(new RunFolder(f.dir()).complete()).as("a new reader of the same folder").isTrue();
    }

    @Test
    void whatIsWrittenReadsBack() throws IOException {
        RunFolder f = new RunFolder(tmp.resolve("nested/run"));
        RunRecord run = RunRecordsTest.record();
        f.writeRun(run);
        f.writeSummary(summary(0.75));
        f.writeBenchmarkSpec(RunRecordsTest.spec());
        f.writeReplicates(new Replicates(3, "probes-v1", Map.of("/top_acc", new double[] {0.1, 0.2, 0.3})));
        List<ObjectNode> metrics = List.of(line("acc", 0.5), line("acc", 0.625));
        f.writeMetrics(metrics);

        RunFolder again = new RunFolder(f.dir());
        assertThat(again.run()).isEqualTo(run);
        assertThat(again.run().config().id()).isEqualTo(run.config().id());
        Summary s = again.summary();
        assertThat(s.benchmark()).isEqualTo("lama-ckl");
        assertThat(s.method()).isEqualTo("finetune");
        assertThat(s.at("/top_acc").asDouble()).isEqualTo(0.75);
        assertThat(s.at("/periods/0910/c").asDouble()).isEqualTo(0.5);
        assertThat(s.at("/absent").isMissingNode()).isTrue();
        assertThat(again.benchmarkSpec()).isEqualTo(RunRecordsTest.spec());
        Replicates r = again.replicates();
        assertThat(r.replicates()).isEqualTo(3);
        assertThat(r.scheme()).isEqualTo("probes-v1");
        assertThat(r.values().get("/top_acc")).containsExactly(0.1, 0.2, 0.3);
        assertThat(again.metrics()).isEqualTo(metrics);
        assertThat(again.metrics(2, 1 << 20)).isEqualTo(metrics);
        assertThat(again.verification()).as("never verified").isNull();
        assertThat(again.checkpoint()).isEqualTo(f.dir().resolve(RunFolder.CHECKPOINT));
    }

    @Test
    void aFolderWithoutTheOptionalFilesReadsThemAsAbsent() throws IOException {
        RunFolder f = new RunFolder(Files.createDirectories(tmp.resolve("run")));
        assertThat(f.replicates()).isNull();
        assertThat(f.verification()).isNull();
        assertThat(f.metrics()).isEmpty();
        assertThat(f.metrics(10, 1 << 20)).isEmpty();
        assertThat(f.steps(10, 1 << 20)).isEmpty();
        assertThat(f.predictionFiles()).isEmpty();
        assertThat(f.coveredSha256()).isEmpty();
    }

    /**
     * A file is replaced, never rewritten in place: a reader that opened the old file still reads all of it, the
     * new one is whole, and no temporary file is left beside them.
     */
    @Test
    void everyWriteReplacesTheWholeFile() throws IOException {
        RunFolder f = new RunFolder(tmp.resolve("run"));
        f.writeSummary(summary(0.5));
        f.writeMetrics(List.of(line("acc", 0.5)));
        byte[] oldSummary = Files.readAllBytes(f.dir().resolve(RunFolder.SUMMARY));
        byte[] oldMetrics = Files.readAllBytes(f.dir().resolve(RunFolder.METRICS));
        try (InputStream summaryReader = Files.newInputStream(f.dir().resolve(RunFolder.SUMMARY));
             InputStream metricsReader = Files.newInputStream(f.dir().resolve(RunFolder.METRICS))) {
            f.writeSummary(summary(0.875));
            f.writeMetrics(List.of(line("acc", 0.5), line("acc", 0.875)));
            assertThat(summaryReader.readAllBytes()).isEqualTo(oldSummary);
            assertThat(metricsReader.readAllBytes()).isEqualTo(oldMetrics);
        }
        assertThat(f.summary().at("/top_acc").asDouble()).isEqualTo(0.875);
        assertThat(f.metrics()).hasSize(2);
        assertThat(othersThan(f.dir(), RunFolder.SUMMARY, RunFolder.METRICS)).isEmpty();
    }

    /** A value that cannot be written leaves the file as it was. */
    @Test
    void aFailedWriteLeavesThePreviousFile() throws IOException {
        RunFolder f = new RunFolder(tmp.resolve("run"));
        f.writeSummary(summary(0.5));
        byte[] before = Files.readAllBytes(f.dir().resolve(RunFolder.SUMMARY));
        ObjectNode bad = NODES.objectNode();
        bad.putPOJO("x", new Object()); // no properties: Jackson refuses to write it
        assertThatThrownBy(() -> f.writeSummary(Summary.of("lama-ckl", "finetune", bad))).isInstanceOf(IOException.class);
        assertThat(Files.readAllBytes(f.dir().resolve(RunFolder.SUMMARY))).isEqualTo(before);
        assertThat(othersThan(f.dir(), RunFolder.SUMMARY)).isEmpty();
    }

    @Test
    void aMalformedMetricsLineIsNamedWithFileAndLine() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("run"));
        Path metrics = Files.writeString(dir.resolve(RunFolder.METRICS), "{\"acc\":0.5}\n\n{\"acc\":\n{\"acc\":0.7}\n");
        RunFolder f = new RunFolder(dir);
        assertThatThrownBy(f::metrics).isInstanceOf(IOException.class).hasMessageContaining(metrics + ":3:");
        assertThatThrownBy(() -> f.metrics(100, 1 << 20)).isInstanceOf(IOException.class)
                .hasMessageContaining(metrics + ":3:");
        Files.writeString(metrics, "{\"acc\":0.5}\n[1, 2]\n");
        assertThatThrownBy(f::metrics).isInstanceOf(IOException.class).hasMessageContaining(metrics + ":2:")
                .hasMessageContaining("object");
    }

    @Test
    void stepsAreBoundedInLinesAndBytes() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("run"));
        Path steps = Files.writeString(dir.resolve(RunFolder.STEPS), "{\"step\":1}\n{\"step\":2}\n{\"step\":3}\n");
        RunFolder f = new RunFolder(dir);
        assertThat(f.steps(3, 1 << 20)).hasSize(3);
        assertThatThrownBy(() -> f.steps(2, 1 << 20)).isInstanceOf(IOException.class)
                .hasMessageContaining(steps + ":3:").hasMessageContaining("more than 2 lines");
        assertThatThrownBy(() -> f.steps(3, 10)).isInstanceOf(IOException.class)
                .hasMessageContaining(steps.toString()).hasMessageContaining("10 bytes");
    }

    @Test
    void predictionsReadBackInEvaluationOrderAndOnlyAsFarAsAsked() throws IOException {
        RunFolder f = new RunFolder(tmp.resolve("run"));
        Prediction p = new Prediction("to_learn", "u1", "Mira Venn", "employer", "Dorn Mills", "Dorn Hills", 0.5, 1.25,
                new long[] {7, 8}, new long[] {7, 9});
        Prediction q = new Prediction("not_to_forget", "u2", "Tobin Ash", "residence", "Port Ralle", "Port Ralle", 1, 0.125,
                null, null);
        f.writePredictions("epoch-02", List.of(q));
        f.writePredictions("epoch-01", List.of(p, q));
        List<Path> files = f.predictionFiles();
        assertThat(files).extracting(x -> x.getFileName().toString()).containsExactly("epoch-01.jsonl", "epoch-02.jsonl");
        List<Prediction> read = RunFolder.readPredictions(files.get(0), 10);
        assertThat(read).hasSize(2);
        assertThat(read.get(0).uuid()).isEqualTo("u1");
        assertThat(read.get(0).predicted()).isEqualTo("Dorn Hills");
        assertThat(read.get(0).objectNll()).isEqualTo(1.25);
        assertThat(read.get(0).objectIds()).containsExactly(7, 8);
        assertThat(read.get(1).objectIds()).isNull();
        assertThat(RunFolder.readPredictions(files.get(0), 1)).extracting(Prediction::uuid).containsExactly("u1");
    }

    @Test
    void aMalformedPredictionIsNamedWithFileAndLineWhenItIsReached() throws IOException {
        RunFolder f = new RunFolder(tmp.resolve("run"));
        f.writePredictions("epoch-01", List.of());
        Path file = f.predictionFiles().get(0);
        Files.writeString(file, "{\"uuid\":\"a\",\"accuracy\":1}\n{\"uuid\":\"b\",\"accuracy\":0}\n"
                + "{\"uuid\":\"c\",\"accuracy\":\"high\"}\n{\"uuid\":\n");
        assertThat(RunFolder.readPredictions(file, 2)).extracting(Prediction::uuid).containsExactly("a", "b");
        assertThatThrownBy(() -> RunFolder.readPredictions(file, 3)).isInstanceOf(IOException.class)
                .hasMessageContaining(file + ":3:").hasMessageContaining("not a prediction");
        Files.writeString(file, "{\"uuid\":\"a\",\"accuracy\":1}\n{\"uuid\":\n");
        assertThatThrownBy(() -> RunFolder.readPredictions(file, 5)).isInstanceOf(IOException.class)
                .hasMessageContaining(file + ":2:");
    }

    @Test
    void aMalformedJsonFileIsNamedWithItsLine() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("run"));
        Path run = Files.writeString(dir.resolve(RunFolder.RUN), "{\n  \"id\": \"x\",\n  \"config\": {},\n  \"methods\": [1,,2]\n}\n");
        assertThatThrownBy(() -> new RunFolder(dir).run()).as("not JSON").isInstanceOf(IOException.class)
                .hasMessageContaining(run.toString()).hasMessageContaining("(line 4)");
        Files.writeString(run, "{\n  \"id\": \"x\",\n  \"config\": [1]\n}\n");
        assertThatThrownBy(() -> new RunFolder(dir).run()).as("JSON, not a run record").isInstanceOf(IOException.class)
                .hasMessageContaining(run.toString()).hasMessageContaining("(line 3)");
        assertThatThrownBy(() -> new RunFolder(dir).summary()).isInstanceOf(IOException.class)
                .hasMessageContaining(dir.resolve(RunFolder.SUMMARY).toString()).hasMessageContaining("missing");
        Files.writeString(dir.resolve(RunFolder.SUMMARY), "");
        assertThatThrownBy(() -> new RunFolder(dir).summary()).isInstanceOf(IOException.class)
                .hasMessageContaining(dir.resolve(RunFolder.SUMMARY).toString());
    }

    @Test
    void replicatesThatDisagreeWithTheirCountAreRefusedAndNamed() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("run"));
        Path f = Files.writeString(dir.resolve(RunFolder.BOOTSTRAP),
                "{\"replicates\":3,\"scheme\":\"s\",\"values\":{\"/top_acc\":[0.1,0.2]}}");
        assertThatThrownBy(() -> new RunFolder(dir).replicates()).isInstanceOf(IOException.class)
                .hasMessageContaining(f.toString()).hasMessageContaining("/top_acc");
        Files.writeString(f, "{\"replicates\":1,\"scheme\":\"s\",\"values\":{}}");
        assertThatThrownBy(() -> new RunFolder(dir).replicates()).isInstanceOf(IOException.class)
                .hasMessageContaining(f.toString()).hasMessageContaining("replicates 1");
        Files.writeString(f, "{\"replicates\":2,\"scheme\":\"\",\"values\":{}}");
        assertThatThrownBy(() -> new RunFolder(dir).replicates()).isInstanceOf(IOException.class)
                .hasMessageContaining("scheme");
        Files.writeString(f, "{\"replicates\":2,\"scheme\":\"s\",\"values\":{\"top_acc\":[0.1,0.2]}}");
        assertThatThrownBy(() -> new RunFolder(dir).replicates()).isInstanceOf(IOException.class)
                .hasMessageContaining("JSON pointer");
    }

    /** Files others wrote are refused by size before a byte is parsed (a sparse file: no disk is used). */
    @Test
    void oversizedBootstrapAndVerificationAreRefusedBeforeReading() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("run"));
        try (RandomAccessFile r = new RandomAccessFile(dir.resolve(RunFolder.BOOTSTRAP).toFile(), "rw")) {
            r.setLength((64L << 20) + 1);
        }
        assertThatThrownBy(() -> new RunFolder(dir).replicates()).isInstanceOf(IOException.class)
                .hasMessageContaining(dir.resolve(RunFolder.BOOTSTRAP).toString()).hasMessageContaining("64 MiB");
        Files.writeString(dir.resolve(RunFolder.VERIFICATION), "{\"verdict\":\"failed\"}" + " ".repeat(1 << 20));
        assertThatThrownBy(() -> new RunFolder(dir).verification()).isInstanceOf(IOException.class)
                .hasMessageContaining(dir.resolve(RunFolder.VERIFICATION).toString()).hasMessageContaining("1 MiB");
    }

    @Test
    void aVerificationReadsBackAndOnlyItsTwoPassingVerdictsPass() throws IOException {
        RunFolder f = new RunFolder(tmp.resolve("run"));
        Verification v = new Verification(Verification.WITHIN_TOLERANCE, "2026-12-07T00:00:00Z", "tester",
                Map.of("cpu", "x86-64"), Map.of("suite", "0.1.0"), 2, 3, 9, true, 1e-6, Map.of("loss", 1e-4),
                Map.of("acc", 0.0), List.of(), Map.of(RunFolder.METRICS, "byte-equal"), List.of("/provenance"),
                Map.of(RunFolder.METRICS, "ab"), "cd", "run-1");
        f.writeVerification(v);
        Verification back = f.verification();
        assertThat(back).isEqualTo(v);
        assertThat(back.passed()).isTrue();
        String json = Files.readString(f.dir().resolve(RunFolder.VERIFICATION), StandardCharsets.UTF_8);
        assertThat(json).contains("\"max_abs_diff\"").contains("\"files_sha256\"");
        for (String verdict : new String[] {Verification.BYTE_EQUAL, Verification.WITHIN_TOLERANCE}) {
            assertThat(new Verification(verdict, null, null, null, null, 0, 0, 0, false, 0, null, null, null, null, null,
                    null, null, null).passed()).as(verdict).isTrue();
        }
        for (String verdict : new String[] {Verification.FAILED, "BYTE-EQUAL", "", null}) {
            assertThat(new Verification(verdict, null, null, null, null, 0, 0, 0, false, 0, null, null, null, null, null,
                    null, null, null).passed()).as(String.valueOf(verdict)).isFalse();
        }
    }

    /** A run folder's files must be its own: links are listed, never read, hashed or counted as predictions. */
    @Test
    void linksAreListedAndNeverFollowed() throws IOException {
        RunFolder f = new RunFolder(tmp.resolve("run"));
        f.writeSummary(summary(0.5));
        f.writeMetrics(List.of(line("acc", 0.5)));
        f.writePredictions("epoch-01", List.of());
        Path outside = Files.writeString(tmp.resolve("elsewhere.json"), "{\"verdict\":\"byte-equal\"}");
        Files.createSymbolicLink(f.dir().resolve(RunFolder.VERIFICATION), outside);
        Files.createSymbolicLink(f.dir().resolve(RunFolder.BOOTSTRAP), outside);
        Files.createSymbolicLink(f.dir().resolve(RunFolder.PREDICTIONS).resolve("epoch-02.jsonl"), outside);
        assertThat(f.verification()).isNull();
        assertThat(f.replicates()).isNull();
        assertThat(f.predictionFiles()).extracting(p -> p.getFileName().toString()).containsExactly("epoch-01.jsonl");
        assertThat(f.coveredSha256()).containsOnlyKeys(RunFolder.METRICS, RunFolder.SUMMARY);
        assertThat(f.links()).containsExactly(f.dir().resolve(RunFolder.BOOTSTRAP),
                f.dir().resolve(RunFolder.PREDICTIONS).resolve("epoch-02.jsonl"), f.dir().resolve(RunFolder.VERIFICATION));
    }

    @Test
    void theCoveredHashesChangeWithTheFiles() throws IOException {
        RunFolder f = new RunFolder(tmp.resolve("run"));
        f.writeSummary(summary(0.5));
        Map<String, String> before = f.coveredSha256();
        assertThat(before).containsOnlyKeys(RunFolder.SUMMARY);
        assertThat(before.get(RunFolder.SUMMARY)).matches("[0-9a-f]{64}");
        f.writeSummary(summary(0.5));
        assertThat(f.coveredSha256()).as("the same content").isEqualTo(before);
        f.writeSummary(summary(0.625));
        assertThat(f.coveredSha256().get(RunFolder.SUMMARY)).isNotEqualTo(before.get(RunFolder.SUMMARY));
        JsonNode unchanged = Json.FILES.readTree(f.dir().resolve(RunFolder.SUMMARY).toFile());
        assertThat(unchanged.get("benchmark").asText()).isEqualTo("lama-ckl");
    }
}
