package org.cklbench.datasets.world;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Text about the world: fact sentences (the LAMA templates), filler sentences that mention other
 * entities but state no fact, evidence documents that hide one fact among filler, and articles.
 */
public final class WorldText {
    private static final List<String> FILLER = List.of(
            "[E] is often mentioned in regional newspapers .",
            "A short documentary about [E] was shown on television .",
            "The archives hold [N] letters that mention [E] .",
            "Many visitors describe the area as quiet and green .",
            "Local historians have written [N] articles on the subject .",
            "The annual report lists [N] smaller projects .",
            "A photograph from that year shows a crowded square .",
            "Critics have praised the clear and simple style of the records .",
            "The weather during the summer is usually mild .",
            "Several streets were renamed after the last election .",
            "[E] appears in a list of notable names from the region .",
            "The museum displays [N] objects from the period .",
            "In a later interview , the details were confirmed once more .",
            "Most of the early documents were lost in a fire .",
            "A new bridge connects the two parts of the old town .",
            "The library keeps a copy of every local newspaper .",
            "Some sources spell the name differently .",
            "Students from [E] visit the place every spring .",
            "A festival in honour of [E] takes place every autumn .",
            "The old maps of the valley show [N] villages .");
    private static final List<String> NUMBERS = List.of("three", "five", "seven", "nine", "twelve", "twenty", "forty",
            "sixty", "hundred", "several");

    private final World world;
    private final List<String> mentionable;

    public WorldText(World world) {
        this.world = world;
        List<String> m = new ArrayList<>();
        for (EntityType t : List.of(EntityType.PERSON, EntityType.CITY, EntityType.COUNTRY, EntityType.ORGANIZATION)) {
            m.addAll(world.entities(t));
        }
        this.mentionable = List.copyOf(m);
    }

    public static String fact(World.Slot slot, String object) {
        return WorldRelation.byCode(slot.relation()).sentence(slot.subject(), object);
    }

    public static String schematic(World.Slot slot, String object) {
        WorldRelation r = WorldRelation.byCode(slot.relation());
        return "Guess the object. \n  subject is " + slot.subject() + " , relation is " + r.label() + " , object is " + object;
    }

    /** A filler sentence naming none of {@code avoid}. */
    String filler(SplittableRandom rng, String... avoid) {
        String f = FILLER.get(rng.nextInt(FILLER.size()));
        String e;
        do {
            e = mentionable.get(rng.nextInt(mentionable.size()));
        } while (contains(avoid, e));
        return f.replace("[E]", e).replace("[N]", NUMBERS.get(rng.nextInt(NUMBERS.size())));
    }

    private static boolean contains(String[] avoid, String e) {
        for (String a : avoid) {
            if (a.contains(e) || e.contains(a)) {
                return true;
            }
        }
        return false;
    }

    /** An evidence document: {@code [0]} the text, {@code [1]} the same with the object as [MASK]. */
    public String[] evidence(SplittableRandom rng, World.Slot slot, String object) {
        int before = 2 + rng.nextInt(3);
        int after = 1 + rng.nextInt(3);
        StringBuilder pre = new StringBuilder();
        StringBuilder post = new StringBuilder();
        for (int i = 0; i < before; i++) {
            pre.append(filler(rng, slot.subject(), object)).append(' ');
        }
        for (int i = 0; i < after; i++) {
            post.append(' ').append(filler(rng, slot.subject(), object));
        }
        String sentence = fact(slot, object);
        String masked = WorldRelation.byCode(slot.relation()).template().replace("[X]", slot.subject());
        masked = masked.replace("[Y]", "[MASK]");
        return new String[] {pre + sentence + post, pre + masked + post};
    }

    /** Every fact of {@code subject} in snapshot {@code k}, shuffled, with filler between. */
    public String article(SplittableRandom rng, String subject, Map<World.Slot, String> facts) {
        List<String> sentences = new ArrayList<>();
        for (Map.Entry<World.Slot, String> f : facts.entrySet()) {
            if (f.getKey().subject().equals(subject)) {
                sentences.add(fact(f.getKey(), f.getValue()));
            }
        }
        Collections.shuffle(sentences, new java.util.Random(rng.nextLong()));
        StringBuilder sb = new StringBuilder();
        for (String s : sentences) {
            if (rng.nextDouble() < 0.5) {
                sb.append(filler(rng, subject)).append(' ');
            }
            sb.append(s).append(' ');
        }
        return sb.toString().trim();
    }

    public World world() {
        return world;
    }
}
