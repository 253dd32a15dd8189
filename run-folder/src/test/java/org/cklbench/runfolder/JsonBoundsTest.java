package org.cklbench.runfolder;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Files others wrote are bounded: a document nested too deep, a string or a number too long is refused with
 * an error that names the file and the bound, never an exception of the error handler itself.
 */
class JsonBoundsTest {
    @TempDir
    Path tmp;

    private Path file(String name, String text) throws IOException {
        return Files.writeString(tmp.resolve(name), text);
    }

    @Test
    void nestingOverTheBoundIsRefusedAndNamed() throws IOException {
        Path f = file("run.json", "{\"training\":{\"x\":" + "[".repeat(1001) + "]".repeat(1001) + "}}");
        assertThatThrownBy(() -> Json.read(f, RunRecord.class)).isInstanceOf(IOException.class)
                .hasMessageContaining(f.toString()).hasMessageContaining("nest");
    }

    @Test
    void aTwentyMegabyteStringIsRefusedAndNamed() throws IOException {
        Path f = file("run.json", "{\"id\":\"" + "a".repeat(20 << 20) + "\"}");
        assertThatThrownBy(() -> Json.read(f, RunRecord.class)).isInstanceOf(IOException.class)
                .hasMessageContaining(f.toString()).hasMessageContaining("string");
    }

    @Test
    void aThousandDigitNumberIsRefusedAndNamed() throws IOException {
        Path f = file("summary.json", "{\"benchmark\":\"b\",\"method\":\"m\",\"acc\":" + "9".repeat(1000) + "}");
        assertThatThrownBy(() -> Json.read(f, Summary.class)).isInstanceOf(IOException.class)
                .hasMessageContaining(f.toString()).hasMessageContaining("number");
    }

    @Test
    void aNullColumnOfASpecIsRefusedWithAMessage() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("run"));
        file("run/benchmark.json", "{\"benchmark\":\"demo\",\"title\":\"T\",\"columns\":[null],"
                + "\"curve\":{\"x\":\"x\",\"series\":[{\"key\":\"acc\",\"label\":\"A\"}]}}");
        assertThatThrownBy(() -> new RunFolder(dir).benchmarkSpec()).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("column");
    }

    @Test
    void nullHeadlineAndReportedRowsAreRefusedWithAMessage() throws IOException {
        String base = "{\"benchmark\":\"demo\",\"title\":\"T\",\"columns\":[{\"key\":\"acc\",\"label\":\"A\",\"path\":\"/acc\","
                + "\"better\":1,\"digits\":2}],\"curve\":{\"x\":\"x\",\"series\":[{\"key\":\"acc\",\"label\":\"A\"}]}";
        Path a = Files.createDirectories(tmp.resolve("a"));
        file("a/benchmark.json", base + ",\"headline\":[null]}");
        assertThatThrownBy(() -> new RunFolder(a).benchmarkSpec()).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("headline");
        Path b = Files.createDirectories(tmp.resolve("b"));
        file("b/benchmark.json", base + ",\"reported\":{\"source\":\"s\",\"model\":\"m\",\"rows\":[null]}}");
        assertThatThrownBy(() -> new RunFolder(b).benchmarkSpec()).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("reported");
        Path c = Files.createDirectories(tmp.resolve("c"));
        file("c/benchmark.json", base + ",\"reported\":{\"source\":\"s\",\"model\":\"m\",\"rows\":[{\"label\":\"x\"}]}}");
        assertThatThrownBy(() -> new RunFolder(c).benchmarkSpec()).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("reported");
    }

    /** metrics.jsonl is read with a bound on lines and bytes, so one run cannot exhaust the memory of a build. */
    @Test
    void metricsOverTheBoundAreRefusedAndNamed() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("m"));
        Files.writeString(dir.resolve("metrics.jsonl"), "{\"x\":0}\n".repeat(20_001));
        assertThatThrownBy(() -> new RunFolder(dir).metrics(20_000, 1 << 20)).isInstanceOf(IOException.class)
                .hasMessageContaining("metrics.jsonl").hasMessageContaining("20000 lines");
        Files.writeString(dir.resolve("metrics.jsonl"), "{\"x\":\"" + "a".repeat(2 << 20) + "\"}\n");
        assertThatThrownBy(() -> new RunFolder(dir).metrics(20_000, 1 << 20)).isInstanceOf(IOException.class)
                .hasMessageContaining("metrics.jsonl").hasMessageContaining("MiB");
    }
}
