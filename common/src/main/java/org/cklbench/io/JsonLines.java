package org.cklbench.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Streaming JSON Lines: one object per non-blank line; an error names the file and the line. */
public final class JsonLines {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A line that is not what the reader expects. */
    public static final class LineException extends IOException {
        public LineException(Path file, long line, String problem) {
            super(file + ":" + line + ": " + problem);
        }
    }

    /** One parsed line and where it came from. */
    public record Line(Path file, long number, JsonNode node) {
        /** A required field, or an error naming file and line. */
        public JsonNode require(String field) throws LineException {
            JsonNode n = node.get(field);
            if (n == null || n.isNull()) {
                throw new LineException(file, number, "missing field '" + field + "'");
            }
            return n;
        }

        public String text(String field) throws LineException {
            JsonNode n = require(field);
            if (!n.isValueNode()) {
                throw new LineException(file, number, "field '" + field + "' must be a string");
            }
            return n.asText();
        }

        public LineException error(String problem) {
            return new LineException(file, number, problem);
        }
    }

    /** What to do with each line; may throw to stop with an error. */
    public interface LineHandler {
        void accept(Line line) throws IOException;
    }

    private JsonLines() {
    }

    /**
     * The longest line read, in characters. A row of any benchmark is far shorter; without a bound, one
     * corrupt file with a 300 MB line ends the process in an OutOfMemoryError instead of an error naming it.
     */
    public static final int MAX_LINE_CHARS = 32 << 20;

    public static void forEach(Path file, LineHandler handler) throws IOException {
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            forEach(file, r, handler);
        } catch (LineException e) {
            if (e.getCause() instanceof CharacterCodingException) {
                throw new LineException(file, firstLineNotUtf8(file), "bytes that are not UTF-8 text; save the file"
                        + " as UTF-8");
            }
            throw e;
        }
    }

    /** The number of the first line of {@code file} that does not decode as UTF-8 (lines are split on LF bytes). */
    static long firstLineNotUtf8(Path file) throws IOException {
        CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder();
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            long n = 1;
            for (int b; ; ) {
                b = in.read();
                if (b == '\n' || b == -1) {
                    try {
                        utf8.reset().decode(ByteBuffer.wrap(line.toByteArray()));
                    } catch (CharacterCodingException e) {
                        return n;
                    }
                    if (b == -1) {
                        return n;
                    }
                    line.reset();
                    n++;
                } else if (line.size() <= 4L * MAX_LINE_CHARS) {
                    line.write(b);
                }
            }
        }
    }

    /** As {@link #forEach(Path, LineHandler)} from a reader the caller opened (e.g. decompressing) and closes. */
    public static void forEach(Path file, BufferedReader reader, LineHandler handler) throws IOException {
        BoundedLines lines = new BoundedLines(file, reader, MAX_LINE_CHARS);
        String s;
        while ((s = lines.next()) != null) {
            long n = lines.number();
            if (s.isBlank()) {
                continue;
            }
            JsonNode node;
            try {
                node = JSON.readTree(s);
            } catch (JsonProcessingException e) {
                throw new LineException(file, n, "malformed JSON: " + e.getOriginalMessage());
            }
            if (node == null || !node.isObject()) {
                throw new LineException(file, n, "expected a JSON object");
            }
            handler.accept(new Line(file, n, node));
        }
    }

    public static List<Line> readAll(Path file) throws IOException {
        List<Line> out = new ArrayList<>();
        forEach(file, out::add);
        return out;
    }

    /** Writes one compact JSON value per line, atomically. */
    public static void write(Path file, Iterable<?> values) throws IOException {
        AtomicFiles.write(file, out -> {
            for (Object v : values) {
                out.write(JSON.writeValueAsBytes(v));
                out.write('\n');
            }
        });
    }

}
