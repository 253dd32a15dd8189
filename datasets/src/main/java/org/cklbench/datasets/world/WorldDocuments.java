package org.cklbench.datasets.world;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.UUID;

/**
 * Everything a world's folder holds, generated before any of it is written ({@link WorldFiles} writes it):
 * each snapshot's facts in LAMA's input format, the pretraining texts of snapshot 0 and their probes, and the
 * texts the tokenizer is built over. One generator draws every random choice, in a fixed order, so the same
 * spec always gives the same documents.
 *
 * @param snapshots      per snapshot, its facts by relation code (sorted), each relation's in the snapshot's order
 * @param pretrain       the pretraining texts
 * @param pretrainProbes snapshot 0's facts as the base is checked on them ({@code uuid, form, sentence, object})
 * @param tokenizerTexts every text of the world, every object and every template word, for the tokenizer
 */
public record WorldDocuments(World world, List<Map<String, List<LamaFact>>> snapshots, List<String> pretrain,
                             List<Map<String, String>> pretrainProbes, List<String> tokenizerTexts) {

    /** A fact as LAMA's T-REx files hold it, with its one evidence sentence masked. */
    public record LamaFact(String uuid, String subject, String object, String maskedEvidence) {
    }

    /** The documents of {@code world}. */
    public static WorldDocuments of(World world) {
        return new Generator(world, new SplittableRandom(world.spec().seed() ^ 0x7E57L)).generate();
    }

    /** A fact's id: the same (subject, relation, object) has the same uuid in every snapshot. */
    public static String uuid(World.Slot slot, String object) {
        return UUID.nameUUIDFromBytes((slot.subject() + "|" + slot.relation() + "|" + object)
                .getBytes(StandardCharsets.UTF_8)).toString();
    }

    /** Facts per profile piece, and the share of pieces with a filler sentence at a drawn place. */
    static final int PROFILE_FACTS = 2;
    static final double PROFILE_FILLER = 0.5;

    /** The share of profile sentences that go on after their object. */
    static final double PROFILE_TAILED = 0.3;

    /** Draws a world's text: the world, its sentences and the one random stream, held once for every part. */
    static final class Generator {
        private final World world;
        private final WorldText text;
        private final SplittableRandom rng;

        Generator(World world, SplittableRandom rng) {
            this.world = world;
            this.text = new WorldText(world);
            this.rng = rng;
        }

        private WorldDocuments generate() {
            List<String> all = new ArrayList<>();
            List<Map<String, List<LamaFact>>> snapshots = new ArrayList<>();
            for (int k = 0; k < world.snapshotCount(); k++) {
                snapshots.add(lama(k, all));
            }
            List<String> pretrain = pretrainTexts();
            all.addAll(pretrain);
            // every object, also those no text happens to mention, must be a token; so must every template word
            world.entities().values().forEach(all::addAll);
            all.addAll(WorldText.vocabularyTexts());
            return new WorldDocuments(world, List.copyOf(snapshots), List.copyOf(pretrain), pretrainProbes(),
                    List.copyOf(all));
        }

        /** Snapshot {@code k}'s facts with their evidence; adds the texts they state to {@code texts}. */
        private Map<String, List<LamaFact>> lama(int k, List<String> texts) {
            Map<String, List<LamaFact>> byRelation = new TreeMap<>();
            for (Map.Entry<World.Slot, String> f : world.snapshot(k).entrySet()) {
                World.Slot slot = f.getKey();
                String[] ev = text.evidence(rng, slot, f.getValue());
                byRelation.computeIfAbsent(slot.relation(), x -> new ArrayList<>())
                        .add(new LamaFact(uuid(slot, f.getValue()), slot.subject(), f.getValue(), ev[1]));
                texts.add(ev[0]);
                texts.add(WorldText.fact(slot, f.getValue()));
                texts.add(WorldText.schematic(slot, f.getValue()));
            }
            return byRelation;
        }

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
         * also that the base has read facts after other text, as the evidence documents state them.
         */
        List<String> pretrainTexts() {
            Map<World.Slot, String> s0 = world.snapshot(0);
            List<String> out = new ArrayList<>();
            Map<String, List<List<String>>> profiles = new LinkedHashMap<>();
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
                    shuffle(facts);
                    // Profiles are cut into pieces of at most PROFILE_FACTS facts: whole profiles of 4-8
                    // sentences made the pretraining batches (padded to their longest text) many times longer.
                    for (int from = 0; from < facts.size(); from += PROFILE_FACTS) {
                        List<String> sentences = new ArrayList<>();
                        for (String f : facts.subList(from, Math.min(facts.size(), from + PROFILE_FACTS))) {
                            sentences.add(rng.nextDouble() < PROFILE_TAILED
                                    ? WorldText.withTail(f, rng.nextInt(WorldText.tailCount())) : f);
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

        private void shuffle(List<String> list) {
            for (int i = list.size() - 1; i > 0; i--) {
                java.util.Collections.swap(list, i, rng.nextInt(i + 1));
            }
        }

        private static List<String> copy(List<List<String>> copies, int c) {
            while (copies.size() <= c) {
                copies.add(new ArrayList<>());
            }
            return copies.get(c);
        }

        private List<Map<String, String>> pretrainProbes() {
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

        private static Map<String, String> probe(String uuid, String form, String sentence, String object) {
            Map<String, String> m = new LinkedHashMap<>(); // key order fixed: the file is byte-identical per spec
            m.put("uuid", uuid);
            m.put("form", form);
            m.put("sentence", sentence);
            m.put("object", object);
            return m;
        }
    }
}
