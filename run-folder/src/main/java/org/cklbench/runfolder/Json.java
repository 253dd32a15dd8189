package org.cklbench.runfolder;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The JSON mappers of the run-folder schema: one to read and write files, one for canonical text to hash. */
public final class Json {
    /**
     * Files: unknown fields are tolerated, so a run folder written by a newer version of the suite
     * (with more provenance, say) still reads.
     */
    public static final ObjectMapper FILES = JsonMapper.builder(bounded())
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    /** Deepest nesting read; the suite's own files nest a handful of levels. */
    public static final int MAX_NESTING = 100;
    /** Longest number read, in characters: a double needs 25, a seed 20. */
    public static final int MAX_NUMBER_CHARS = 100;
    /** Longest string read, in characters: paths, labels and notes are far shorter. */
    public static final int MAX_STRING_CHARS = 1 << 20;

    /** Keys sorted at every level, so equal configurations give equal text whatever built them. */
    private static final ObjectMapper CANONICAL = JsonMapper.builder()
            .enable(MapperFeature.SORT_PROPERTIES_ALPHABETICALLY)
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
            .build();

    private Json() {
    }

    /**
     * A factory with bounds on what one file may hold, so that a file someone else wrote (a submitted run
     * folder) is refused with an error naming it instead of exhausting the stack or the memory.
     */
    private static JsonFactory bounded() {
        return JsonFactory.builder().streamReadConstraints(StreamReadConstraints.builder()
                .maxNestingDepth(MAX_NESTING).maxNumberLength(MAX_NUMBER_CHARS).maxStringLength(MAX_STRING_CHARS)
                .build()).build();
    }

    /** Canonical JSON of any value or tree: keys sorted everywhere (trees included), compact. */
    public static String canonical(Object value) {
        try {
            return CANONICAL.writeValueAsString(CANONICAL.convertValue(value, Object.class));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot write " + value + " as JSON: " + e.getOriginalMessage(), e);
        }
    }

    /** Reads {@code file} as {@code type}; an error names the file and what is wrong with it. */
    public static <T> T read(Path file, Class<T> type) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IOException(file + " is missing");
        }
        try {
            T value = FILES.readValue(file.toFile(), type);
            if (value == null) {
                throw new IOException(file + " is empty");
            }
            return value;
        } catch (StreamConstraintsException e) {
            throw new IOException(file + " is beyond what a " + type.getSimpleName() + " file holds: "
                    + bound(e.getOriginalMessage()), e);
        } catch (JsonProcessingException e) {
            // the location is null for some errors (a bound hit inside a value)
            String where = e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ")";
            throw new IOException(file + " is not a valid " + type.getSimpleName() + " file" + where + ": "
                    + bound(e.getOriginalMessage()), e);
        }
    }

    /** Jackson's message about a bound, in the suite's words where it names one; else as it is. */
    static String bound(String message) {
        String m = String.valueOf(message);
        if (m.contains("nesting depth")) {
            return "nested deeper than " + MAX_NESTING + " levels";
        }
        if (m.contains("Number value length") || m.contains("number length")) {
            return "a number longer than " + MAX_NUMBER_CHARS + " characters";
        }
        if (m.contains("String value length") || m.contains("string length")) {
            return "a string longer than " + MAX_STRING_CHARS + " characters";
        }
        return m.length() > 500 ? m.substring(0, 500) + "..." : m;
    }

    public static String pretty(Object value) throws JsonProcessingException {
        return FILES.writerWithDefaultPrettyPrinter().writeValueAsString(value) + "\n";
    }

    static JsonNode tree(Object value) {
        return FILES.valueToTree(value);
    }
}
