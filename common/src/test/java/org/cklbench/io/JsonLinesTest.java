package org.cklbench.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JsonLinesTest {
    @TempDir
    Path tmp;

    private static List<String> lines(String text, int max) throws Exception {
        BoundedLines b = new BoundedLines(Path.of("f"), new StringReader(text), max);
        List<String> out = new ArrayList<>();
        for (String s; (s = b.next()) != null; ) {
            out.add(b.number() + ":" + s);
        }
        return out;
    }

    @Test
    void linesSplitAsBufferedReaderSplitsThem() throws Exception {
        assertThat(lines("a\nb\r\nc\rd", 100)).containsExactly("1:a", "2:b", "3:c", "4:d");
        assertThat(lines("a\n\nb\n", 100)).containsExactly("1:a", "2:", "3:b");
        assertThat(lines("", 100)).isEmpty();
        assertThat(lines("x".repeat(40_000) + "\ny", 40_000)).hasSize(2);
    }

    /** A 300 MB line once ended the process in an OutOfMemoryError; now the line is named. */
    @Test
    void aLineLongerThanTheBoundIsAnErrorNamingFileAndLine() {
        assertThatThrownBy(() -> lines("ok\n" + "x".repeat(40_001) + "\n", 40_000))
                .hasMessageStartingWith("f:2: line longer than 40000 characters");
    }

    @Test
    void bytesThatAreNotUtf8NameFileAndLine() throws Exception {
        Path f = tmp.resolve("latin1.jsonl");
        byte[] bad = "{\"a\":\"caf\u00e9\"}\n".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        Files.write(f, concat("{\"a\":1}\n".getBytes(), bad));
        assertThatThrownBy(() -> JsonLines.forEach(f, l -> { }))
                .hasMessageStartingWith(f + ":2: bytes that are not UTF-8 text");
    }

    @Test
    void malformedLinesNameFileAndLine() throws Exception {
        Path f = tmp.resolve("x.jsonl");
        Files.writeString(f, "{\"a\":1}\n\n[1]\n");
        assertThatThrownBy(() -> JsonLines.forEach(f, l -> { })).hasMessage(f + ":3: expected a JSON object");
        Files.writeString(f, "{\"a\":1}\n{\"a\":\n");
        assertThatThrownBy(() -> JsonLines.forEach(f, l -> { })).hasMessageStartingWith(f + ":2: malformed JSON");
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
