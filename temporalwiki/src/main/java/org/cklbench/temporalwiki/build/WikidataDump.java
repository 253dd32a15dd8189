package org.cklbench.temporalwiki.build;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A Wikidata JSON dump, streamed: one entity per line (the dump's enclosing {@code [}/{@code ]} and
 * trailing commas are skipped). Keeps what TemporalWiki needs: English labels, the enwiki title, and
 * each claim's value (an entity id or a string), by property.
 */
public final class WikidataDump {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One entity: {@code claims} maps a property id to its values (entity ids or strings). */
    public record Entity(String id, String label, String title, Map<String, List<String>> claims) {
    }

    /** Items by id, and property labels by property id. */
    public record Snapshot(Map<String, Entity> items, Map<String, String> propertyLabels) {
        public String label(String id) {
            Entity e = items.get(id);
            return e == null ? null : e.label();
        }
    }

    private WikidataDump() {
    }

    public static Snapshot read(Path file) throws IOException {
        Map<String, Entity> items = new LinkedHashMap<>();
        Map<String, String> props = new LinkedHashMap<>();
        try (BufferedReader r = Compressed.reader(file)) {
            String line;
            long n = 0;
            while ((line = r.readLine()) != null) {
                n++;
                String s = line.strip();
                if (s.endsWith(",")) {
                    s = s.substring(0, s.length() - 1);
                }
                if (s.isEmpty() || s.equals("[") || s.equals("]")) {
                    continue;
                }
                JsonNode e;
                try {
                    e = JSON.readTree(s);
                } catch (JsonProcessingException ex) {
                    throw new IOException(file + ":" + n + ": malformed entity JSON: " + ex.getOriginalMessage());
                }
                String id = e.path("id").asText(null);
                if (id == null) {
                    throw new IOException(file + ":" + n + ": entity without an id");
                }
                String label = e.path("labels").path("en").path("value").asText(null);
                if (id.startsWith("P")) {
                    if (label != null) {
                        props.put(id, label);
                    }
                    continue;
                }
                Map<String, List<String>> claims = new LinkedHashMap<>();
                e.path("claims").fields().forEachRemaining(c -> {
                    List<String> values = new ArrayList<>();
                    for (JsonNode st : c.getValue()) {
                        JsonNode dv = st.path("mainsnak").path("datavalue");
                        if (dv.path("type").asText().equals("wikibase-entityid")) {
                            values.add(dv.path("value").path("id").asText());
                        } else if (dv.path("type").asText().equals("string")) {
                            values.add("\"" + dv.path("value").asText());
                        }
                    }
                    if (!values.isEmpty()) {
                        claims.put(c.getKey(), values);
                    }
                });
                String title = e.path("sitelinks").path("enwiki").path("title").asText(label);
                items.put(id, new Entity(id, label, title, claims));
            }
        }
        return new Snapshot(items, props);
    }

    /** A claim value's label: a string value itself (marked with a leading quote), or the entity's label. */
    static String valueLabel(Snapshot s, String value) {
        return value.startsWith("\"") ? value.substring(1) : s.label(value);
    }
}
