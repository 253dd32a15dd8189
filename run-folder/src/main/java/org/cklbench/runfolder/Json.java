package org.cklbench.runfolder;

import com.fasterxml.jackson.core.JsonProcessingException;
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
    public static final ObjectMapper FILES = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    /** Keys sorted at every level, so equal configurations give equal text whatever built them. */
    private static final ObjectMapper CANONICAL = JsonMapper.builder()
            .enable(MapperFeature.SORT_PROPERTIES_ALPHABETICALLY)
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
            .build();

    private Json() {
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
        } catch (JsonProcessingException e) {
            throw new IOException(file + " is not a valid " + type.getSimpleName() + " file (line "
                    + e.getLocation().getLineNr() + "): " + e.getOriginalMessage(), e);
        }
    }

    public static String pretty(Object value) throws JsonProcessingException {
        return FILES.writerWithDefaultPrettyPrinter().writeValueAsString(value) + "\n";
    }

    static JsonNode tree(Object value) {
        return FILES.valueToTree(value);
    }
}
