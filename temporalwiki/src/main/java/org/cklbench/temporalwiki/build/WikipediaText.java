package org.cklbench.temporalwiki.build;

import com.fasterxml.jackson.databind.JsonNode;
import org.cklbench.io.JsonLines;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** Wikipedia article text of a snapshot, streamed from JSON Lines of {@code {"title", "text"}}. */
public final class WikipediaText {
    private WikipediaText() {
    }

    public static Map<String, String> read(Path file) throws IOException {
        Map<String, String> out = new LinkedHashMap<>();
        try (BufferedReader r = Compressed.reader(file)) {
            JsonLines.forEach(file, r, line -> {
                JsonNode a = line.node();
                if (!a.hasNonNull("title") || !a.hasNonNull("text")) {
                    throw line.error("an article needs 'title' and 'text'");
                }
                out.put(a.get("title").asText(), a.get("text").asText());
            });
        }
        return out;
    }
}
