package org.cklbench.temporalwiki.build;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** Wikipedia article text of a snapshot, streamed from JSON Lines of {@code {"title", "text"}}. */
public final class WikipediaText {
    private static final ObjectMapper JSON = new ObjectMapper();

    private WikipediaText() {
    }

    public static Map<String, String> read(Path file) throws IOException {
        Map<String, String> out = new LinkedHashMap<>();
        try (BufferedReader r = Compressed.reader(file)) {
            String line;
            long n = 0;
            while ((line = r.readLine()) != null) {
                n++;
                if (line.isBlank()) {
                    continue;
                }
                JsonNode a;
                try {
                    a = JSON.readTree(line);
                } catch (JsonProcessingException e) {
                    throw new IOException(file + ":" + n + ": malformed JSON: " + e.getOriginalMessage());
                }
                if (!a.hasNonNull("title") || !a.hasNonNull("text")) {
                    throw new IOException(file + ":" + n + ": an article needs 'title' and 'text'");
                }
                out.put(a.get("title").asText(), a.get("text").asText());
            }
        }
        return out;
    }
}
