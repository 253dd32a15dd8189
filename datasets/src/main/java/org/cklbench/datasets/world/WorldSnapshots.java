package org.cklbench.datasets.world;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.cklbench.io.AtomicFiles;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.zip.GZIPOutputStream;

/**
 * The world's snapshots in the formats TemporalWiki was built from: a Wikidata JSON entity dump
 * ({@code wikidata.json.gz}, one entity per line with labels, claims and an enwiki sitelink; property
 * entities carry the relation labels) and the English Wikipedia text of each entity's article
 * ({@code wikipedia.jsonl}: {@code {"title", "text"}}). An article states its subject's facts in
 * paraphrase among filler; a fact that changes between snapshots changes its sentence and brings a
 * sentence of context, so the Wikipedia diff holds it in a line the reference's filter keeps.
 */
public final class WorldSnapshots {
    private static final ObjectMapper JSON = new ObjectMapper();

    private WorldSnapshots() {
    }

    /** Writes every snapshot under {@code dir/snapshot-K}. */
    public static void write(World world, Path dir) throws IOException {
        Map<String, String> qids = new LinkedHashMap<>();
        world.entities().values().forEach(list -> list.forEach(e -> qids.putIfAbsent(e, "Q" + (qids.size() + 1))));
        WorldText text = new WorldText(world);
        // Filler is drawn once per subject and reused in every snapshot, so only fact sentences differ.
        Map<String, String[]> filler = new LinkedHashMap<>();
        SplittableRandom rng = new SplittableRandom(world.spec().seed() ^ 0xD1FFL);
        for (String e : qids.keySet()) {
            filler.put(e, new String[] {text.filler(rng, e), text.filler(rng, e), text.filler(rng, e)});
        }
        for (int k = 0; k < world.snapshotCount(); k++) {
            Path out = Files.createDirectories(dir.resolve("snapshot-" + k));
            Map<World.Slot, String> facts = world.snapshot(k);
            writeWikidata(facts, qids, out.resolve("wikidata.json.gz"));
            StringBuilder lines = new StringBuilder();
            Set<String> subjects = new LinkedHashSet<>();
            facts.keySet().forEach(s -> subjects.add(s.subject()));
            for (String s : subjects) {
                StringBuilder article = new StringBuilder(filler.get(s)[0]);
                int n = 0;
                for (Map.Entry<World.Slot, String> f : facts.entrySet()) {
                    if (f.getKey().subject().equals(s)) {
                        // articles state facts in their own words (one paraphrase per fact and value), never the probe's
                        int form = Math.floorMod((s + "|" + f.getKey().relation() + "|" + f.getValue()).hashCode(),
                                WorldRelation.byCode(f.getKey().relation()).paraphrases().size());
                        article.append(' ').append(WorldText.paraphrase(f.getKey(), f.getValue(), form));
                        if (k > 0 && !f.getValue().equals(world.snapshot(k - 1).get(f.getKey()))) {
                            article.append(' ').append(WorldText.changeContext(s, k, n));
                        }
                        if (++n % 2 == 0) {
                            article.append(' ').append(filler.get(s)[n / 2 % 3]);
                        }
                    }
                }
                ObjectNode o = JSON.createObjectNode();
                o.put("title", s);
                o.put("text", article.toString());
                lines.append(JSON.writeValueAsString(o)).append('\n');
            }
            AtomicFiles.writeString(out.resolve("wikipedia.jsonl"), lines.toString());
        }
    }

    private static void writeWikidata(Map<World.Slot, String> facts, Map<String, String> qids, Path file) throws IOException {
        Map<String, ObjectNode> entities = new LinkedHashMap<>();
        for (WorldRelation r : WorldRelation.ALL) {
            ObjectNode p = JSON.createObjectNode();
            p.put("id", r.code());
            p.put("type", "property");
            p.putObject("labels").putObject("en").put("language", "en").put("value", r.label());
            entities.put(r.code(), p);
        }
        qids.forEach((name, q) -> {
            ObjectNode e = JSON.createObjectNode();
            e.put("id", q);
            e.put("type", "item");
            e.putObject("labels").putObject("en").put("language", "en").put("value", name);
            e.putObject("sitelinks").putObject("enwiki").put("site", "enwiki").put("title", name);
            e.putObject("claims");
            entities.put(q, e);
        });
        for (Map.Entry<World.Slot, String> f : facts.entrySet()) {
            ObjectNode claims = (ObjectNode) entities.get(qids.get(f.getKey().subject())).get("claims");
            ArrayNode list = claims.has(f.getKey().relation()) ? (ArrayNode) claims.get(f.getKey().relation())
                    : claims.putArray(f.getKey().relation());
            ObjectNode snak = list.addObject().putObject("mainsnak");
            snak.put("snaktype", "value");
            snak.put("property", f.getKey().relation());
            ObjectNode dv = snak.putObject("datavalue");
            dv.put("type", "wikibase-entityid");
            dv.putObject("value").put("entity-type", "item").put("id", qids.get(f.getValue()));
        }
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(tmp))) {
            // Wikidata's dump layout: a JSON array with one entity per line
            out.write("[\n".getBytes(StandardCharsets.UTF_8));
            int i = 0;
            for (ObjectNode e : entities.values()) {
                out.write(JSON.writeValueAsBytes(e));
                out.write((++i < entities.size() ? ",\n" : "\n").getBytes(StandardCharsets.UTF_8));
            }
            out.write("]\n".getBytes(StandardCharsets.UTF_8));
        }
        Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }
}
