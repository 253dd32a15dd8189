package org.cklbench.datasets.world;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.cklbench.io.Folders;
import org.cklbench.io.AtomicFiles;
import org.cklbench.io.Hashing;
import org.cklbench.io.JsonLines;
import org.cklbench.engine.tokenizer.WordLevelTokenizers;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A world on disk, under {@code CKL_HOME/worlds/<id>}: LAMA's input format for every snapshot
 * ({@code lama/snapshot-K/relations.jsonl}, {@code TREx/P*.jsonl}), the pretraining texts of snapshot 0
 * ({@code pretrain.jsonl}), and a word-level {@code tokenizer/} over all of it. Generated once and
 * reused; the same spec always gives byte-identical files.
 */
public final class WorldFiles {
    private static final ObjectMapper JSON = new ObjectMapper();

    private WorldFiles() {
    }

    /**
     * The version of what a world's text says (templates, paraphrases, pretraining texts). Part of the
     * world's id, so a cached world written by an older generator is never reused as a newer one.
     */
    static final int TEXT_VERSION = 6;

    public static String id(World.Spec spec) {
        return "world-" + Hashing.sha256(spec + (TEXT_VERSION == 1 ? "" : " text v" + TEXT_VERSION)).substring(0, 12);
    }

    /** The world folder of {@code spec} under {@code home}, generated when absent. */
    public static Path ensure(Path home, World.Spec spec) throws IOException {
        Path dir = home.resolve("worlds").resolve(id(spec));
        if (Files.isRegularFile(dir.resolve("world.json"))) {
            return dir;
        }
        Files.createDirectories(dir.getParent());
        Path tmp = org.cklbench.io.TempPaths.directory(dir.getParent(), "." + id(spec) + ".");
        write(World.generate(spec), tmp);
        Folders.publish(tmp, dir);
        return dir;
    }

    /** Writes the documents of {@code world} into {@code dir}: generated first ({@link WorldDocuments}), then written. */
    static void write(World world, Path dir) throws IOException {
        write(WorldDocuments.of(world), dir);
    }

    static void write(WorldDocuments docs, Path dir) throws IOException {
        World world = docs.world();
        for (int k = 0; k < docs.snapshots().size(); k++) {
            writeLama(docs.snapshots().get(k), dir.resolve("lama").resolve("snapshot-" + k));
        }
        JsonLines.write(dir.resolve("pretrain.jsonl"), docs.pretrain().stream().map(t -> Map.of("text", t)).toList());
        JsonLines.write(dir.resolve(PRETRAIN_PROBES), docs.pretrainProbes());
        int vocab = WordLevelTokenizers.write(dir.resolve("tokenizer"), docs.tokenizerTexts());
        ObjectNode meta = JSON.createObjectNode();
        meta.put("id", id(world.spec()));
        meta.put("spec", world.spec().toString());
        meta.put("vocab_size", vocab);
        ObjectNode counts = meta.putObject("facts_per_snapshot");
        for (int k = 0; k < world.snapshotCount(); k++) {
            counts.put("snapshot-" + k, world.snapshot(k).size());
        }
        ObjectNode ents = meta.putObject("entities");
        world.entities().forEach((t, l) -> ents.put(t.name().toLowerCase(), l.size()));
        AtomicFiles.writeString(dir.resolve("world.json"), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(meta));
    }

    /** Writes one snapshot's facts in LAMA's input format. */
    private static void writeLama(Map<String, List<WorldDocuments.LamaFact>> byRelation, Path dir) throws IOException {
        Files.createDirectories(dir.resolve("TREx"));
        JsonLines.write(dir.resolve("relations.jsonl"), WorldRelation.ALL.stream().map(r -> {
            ObjectNode o = JSON.createObjectNode();
            o.put("relation", r.code());
            o.put("template", r.template());
            o.put("label", r.label());
            return o;
        }).toList());
        for (Map.Entry<String, List<WorldDocuments.LamaFact>> e : byRelation.entrySet()) {
            JsonLines.write(dir.resolve("TREx").resolve(e.getKey() + ".jsonl"), e.getValue().stream().map(f -> {
                ObjectNode o = JSON.createObjectNode();
                o.put("uuid", f.uuid());
                o.put("sub_label", f.subject());
                o.put("obj_label", f.object());
                o.putArray("evidences").addObject().put("masked_sentence", f.maskedEvidence())
                        .put("obj_surface", f.object()).put("sub_surface", f.subject());
                return o;
            }).toList());
        }
    }

    /** A fact's id: the same (subject, relation, object) has the same uuid in every snapshot. */
    public static String uuid(World.Slot slot, String object) {
        return WorldDocuments.uuid(slot, object);
    }

    /** Snapshot 0's facts as the base is checked on them after pretraining ({@code form}: template, unseen_paraphrase). */
    public static final String PRETRAIN_PROBES = "pretrain-probes.jsonl";

    /** The pretraining texts written by {@link #ensure}. */
    public static List<String> readPretrainTexts(Path worldDir) throws IOException {
        List<String> out = new ArrayList<>();
        JsonLines.forEach(worldDir.resolve("pretrain.jsonl"), l -> out.add(l.text("text")));
        return out;
    }
}
