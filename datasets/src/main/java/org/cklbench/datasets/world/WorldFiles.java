package org.cklbench.datasets.world;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.cklbench.io.Folders;
import org.cklbench.io.AtomicFiles;
import org.cklbench.io.Hashing;
import org.cklbench.io.JsonLines;
import org.cklbench.engine.tokenizer.WordLevelTokenizers;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.UUID;

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

    static void write(World world, Path dir) throws IOException {
        WorldText text = new WorldText(world);
        SplittableRandom rng = new SplittableRandom(world.spec().seed() ^ 0x7E57L);
        List<String> allTexts = new ArrayList<>();
        for (int k = 0; k < world.snapshotCount(); k++) {
            allTexts.addAll(writeLama(world, text, k, dir.resolve("lama").resolve("snapshot-" + k), rng));
        }
        List<String> pretrain = pretrainTexts(world, text, rng);
        allTexts.addAll(pretrain);
        JsonLines.write(dir.resolve("pretrain.jsonl"), pretrain.stream().map(t -> Map.of("text", t)).toList());
        JsonLines.write(dir.resolve(PRETRAIN_PROBES), pretrainProbes(world));
        // every object, also those no text happens to mention, must be a token; so must every template word
        world.entities().values().forEach(allTexts::addAll);
        allTexts.addAll(WorldText.vocabularyTexts());
        int vocab = WordLevelTokenizers.write(dir.resolve("tokenizer"), allTexts);
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

    /** Writes snapshot {@code k} in LAMA's input format; returns the texts written. */
    private static List<String> writeLama(World world, WorldText text, int k, Path dir, SplittableRandom rng)
            throws IOException {
        Files.createDirectories(dir.resolve("TREx"));
        List<String> texts = new ArrayList<>();
        JsonLines.write(dir.resolve("relations.jsonl"), WorldRelation.ALL.stream().map(r -> {
            ObjectNode o = JSON.createObjectNode();
            o.put("relation", r.code());
            o.put("template", r.template());
            o.put("label", r.label());
            return o;
        }).toList());
        Map<String, List<ObjectNode>> byRelation = new TreeMap<>();
        for (Map.Entry<World.Slot, String> f : world.snapshot(k).entrySet()) {
            World.Slot slot = f.getKey();
            String[] ev = text.evidence(rng, slot, f.getValue());
            ObjectNode o = JSON.createObjectNode();
            o.put("uuid", uuid(slot, f.getValue()));
            o.put("sub_label", slot.subject());
            o.put("obj_label", f.getValue());
            o.putArray("evidences").addObject().put("masked_sentence", ev[1]).put("obj_surface", f.getValue())
                    .put("sub_surface", slot.subject());
            byRelation.computeIfAbsent(slot.relation(), x -> new ArrayList<>()).add(o);
            texts.add(ev[0]);
            texts.add(WorldText.fact(slot, f.getValue()));
            texts.add(WorldText.schematic(slot, f.getValue()));
        }
        for (Map.Entry<String, List<ObjectNode>> e : byRelation.entrySet()) {
            JsonLines.write(dir.resolve("TREx").resolve(e.getKey() + ".jsonl"), e.getValue());
        }
        return texts;
    }

    /** A fact's id: the same (subject, relation, object) has the same uuid in every snapshot. */
    public static String uuid(World.Slot slot, String object) {
        return UUID.nameUUIDFromBytes((slot.subject() + "|" + slot.relation() + "|" + object)
                .getBytes(StandardCharsets.UTF_8)).toString();
    }

    /** Snapshot 0's facts as the base is checked on them after pretraining ({@code form}: template, unseen_paraphrase). */
    public static final String PRETRAIN_PROBES = "pretrain-probes.jsonl";

    /**
     * What the base model learns from snapshot 0. Knowledge augmentation as Allen-Zhu and Li (Physics of
     * Language Models 3.1) describe it: most facts in the descriptive (template) and schematic forms, each
     * a text of its own, and in all their paraphrases but one; three in ten in one paraphrase only
     * ({@link WorldText#singleForm}). The paraphrases are not texts of their own but sentences of
     * profiles, as PoLM 3.1's biographies: each subject has one profile per paraphrase copy, every
     * sentence naming the subject in full, the sentences in an order drawn per profile and cut into
     * pieces of two facts, half the pieces with a filler sentence at a drawn place, and some fact
     * sentences going on after their object ({@link WorldText#withTail}).
     * PoLM 3.1 finds knowledge read in such permuted, full-name profiles extractable; here the point is
     * also that the base has read facts after other text, as the evidence documents now state them.
     */
    static List<String> pretrainTexts(World world, WorldText text, SplittableRandom rng) {
        Map<World.Slot, String> s0 = world.snapshot(0);
        List<String> out = new ArrayList<>();
        Map<String, List<List<String>>> profiles = new java.util.LinkedHashMap<>();
        for (Map.Entry<World.Slot, String> f : s0.entrySet()) {
            int unseen = WorldText.unseenParaphrase(f.getKey(), f.getValue());
            int n = WorldRelation.byCode(f.getKey().relation()).paraphrases().size();
            List<List<String>> copies = profiles.computeIfAbsent(f.getKey().subject(), x -> new ArrayList<>());
            if (WorldText.singleForm(f.getKey(), f.getValue())) {
                copy(copies, rng.nextInt(n - 1)).add(WorldText.paraphrase(f.getKey(), f.getValue(), (unseen + 1) % n));
                continue;
            }
            out.add(WorldText.fact(f.getKey(), f.getValue()));
            out.add(WorldText.schematic(f.getKey(), f.getValue()));
            int c = 0;
            for (int i = 0; i < n; i++) {
                if (i != unseen) {
                    copy(copies, c++).add(WorldText.paraphrase(f.getKey(), f.getValue(), i));
                }
            }
        }
        for (Map.Entry<String, List<List<String>>> p : profiles.entrySet()) {
            for (List<String> copy : p.getValue()) {
                List<String> facts = new ArrayList<>(copy);
                shuffle(facts, rng);
                // Profiles are cut into pieces of at most PROFILE_FACTS facts: whole profiles of 4-8
                // sentences made the pretraining batches (padded to their longest text) many times longer.
                for (int from = 0; from < facts.size(); from += PROFILE_FACTS) {
                    List<String> sentences = new ArrayList<>();
                    for (String f : facts.subList(from, Math.min(facts.size(), from + PROFILE_FACTS))) {
                        sentences.add(rng.nextDouble() < PROFILE_TAILED ? WorldText.withTail(f, rng.nextInt(WorldText.tailCount())) : f);
                    }
                    if (rng.nextDouble() < PROFILE_FILLER) {
                        sentences.add(rng.nextInt(sentences.size() + 1), text.filler(rng, p.getKey()));
                    }
                    out.add(String.join(" ", sentences));
                }
            }
        }
        return out;
    }

    private static void shuffle(List<String> list, SplittableRandom rng) {
        for (int i = list.size() - 1; i > 0; i--) {
            java.util.Collections.swap(list, i, rng.nextInt(i + 1));
        }
    }

    /** Facts per profile piece, and the share of pieces with a filler sentence at a drawn place. */
    static final int PROFILE_FACTS = 2;
    static final double PROFILE_FILLER = 0.5;

    /** The share of profile sentences that go on after their object. */
    static final double PROFILE_TAILED = 0.3;

    private static List<String> copy(List<List<String>> copies, int c) {
        while (copies.size() <= c) {
            copies.add(new ArrayList<>());
        }
        return copies.get(c);
    }

    private static Map<String, String> probe(String uuid, String form, String sentence, String object) {
        Map<String, String> m = new java.util.LinkedHashMap<>(); // key order fixed: the file is byte-identical per spec
        m.put("uuid", uuid);
        m.put("form", form);
        m.put("sentence", sentence);
        m.put("object", object);
        return m;
    }

    private static List<Map<String, String>> pretrainProbes(World world) {
        List<Map<String, String>> out = new ArrayList<>();
        for (Map.Entry<World.Slot, String> f : world.snapshot(0).entrySet()) {
            String uuid = uuid(f.getKey(), f.getValue());
            if (WorldText.singleForm(f.getKey(), f.getValue())) {
                out.add(probe(uuid, "single_form_template", WorldText.fact(f.getKey(), f.getValue()), f.getValue()));
                continue;
            }
            out.add(probe(uuid, "template", WorldText.fact(f.getKey(), f.getValue()), f.getValue()));
            out.add(probe(uuid, "unseen_paraphrase", WorldText.paraphrase(f.getKey(), f.getValue(),
                    WorldText.unseenParaphrase(f.getKey(), f.getValue())), f.getValue()));
        }
        return out;
    }

    /** The pretraining texts written by {@link #ensure}. */
    public static List<String> readPretrainTexts(Path worldDir) throws IOException {
        List<String> out = new ArrayList<>();
        JsonLines.forEach(worldDir.resolve("pretrain.jsonl"), l -> out.add(l.text("text")));
        return out;
    }
}
