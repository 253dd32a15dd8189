package org.cklbench.datasets.world;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Text about the world: fact sentences (in the LAMA template, the probes' form, or in a paraphrase,
 * the form of documents), filler sentences that mention other entities but state no fact, and
 * evidence documents that hide one fact, paraphrased, among filler.
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

    /**
     * A sentence an article gains with a fact that changed in snapshot [K], as a real article's edit
     * brings context with the new value: the diff then holds more than a short fact sentence, which
     * TemporalWiki's filter (lines under 50 characters dropped) would otherwise remove with the only
     * text that teaches the change.
     */
    private static final List<String> CHANGE_CONTEXT = List.of(
            "Records from year [K] note a change concerning [E] .",
            "In year [K] , the entry on [E] was revised .",
            "A report of year [K] describes a recent change for [E] .");
    private static final List<String> YEARS = List.of("one", "two", "three", "four", "five", "six", "seven", "eight");

    /** The context sentence of a fact of {@code subject} that changed in snapshot {@code k}. */
    public static String changeContext(String subject, int k, int variant) {
        return CHANGE_CONTEXT.get(Math.floorMod(variant, CHANGE_CONTEXT.size())).replace("[E]", subject)
                .replace("[K]", YEARS.get(Math.min(k, YEARS.size() - 1)));
    }

    /** Words the world's text may use beyond entity names and filler, for the tokenizer. */
    public static List<String> vocabularyTexts() {
        List<String> out = new ArrayList<>(YEARS);
        CHANGE_CONTEXT.forEach(c -> out.add(c.replace("[E]", "").replace("[K]", "")));
        WorldRelation.ALL.forEach(r -> r.paraphrases().forEach(x -> out.add(WorldRelation.fill(x, "", ""))));
        return out;
    }

    private final World world;
    private final List<String> mentionable;

    public WorldText(World world) {
        this.world = world;
        List<String> m = new ArrayList<>();
        // filler names only entities of the first snapshot: pretraining never meets a later entity's name
        for (EntityType t : List.of(EntityType.PERSON, EntityType.CITY, EntityType.COUNTRY, EntityType.ORGANIZATION)) {
            world.entities(t).stream().filter(x -> world.since(x) == 0).forEach(m::add);
        }
        this.mentionable = List.copyOf(m);
    }

    /** The fact in its relation's LAMA template: the probe's form. */
    public static String fact(World.Slot slot, String object) {
        return WorldRelation.byCode(slot.relation()).sentence(slot.subject(), object);
    }

    /** The fact in paraphrase {@code i} of its relation. */
    public static String paraphrase(World.Slot slot, String object, int i) {
        return WorldRelation.byCode(slot.relation()).paraphrase(i, slot.subject(), object);
    }

    /**
     * The paraphrase of this fact that pretraining never shows (the others it does), chosen by a hash
     * of the fact: the base's accuracy on it measures whether facts learnt in some words can be recalled
     * in others.
     */
    /**
     * Whether pretraining shows this fact in one paraphrase only (three facts in ten, by a hash), as a
     * real corpus states most facts once: Allen-Zhu and Li (Physics of Language Models 3.1) find that a
     * model whose data also holds such facts learns to store knowledge so it can be extracted in other
     * words. Measured on the quick world (pretraining.json): the base answers the template for 0.685 of
     * these facts it never saw in that form; with one fact in two shown once, 0.489, and the base learns
     * less from paraphrased evidence later (LAMA-ckl Finetune 0.09 against 0.125 over 12 epochs).
     */
    public static boolean singleForm(World.Slot slot, String object) {
        return Math.floorMod((slot.subject() + "#" + slot.relation() + "#" + object).hashCode(), 10) < 3;
    }

    public static int unseenParaphrase(World.Slot slot, String object) {
        int n = WorldRelation.byCode(slot.relation()).paraphrases().size();
        return Math.floorMod((slot.subject() + "|" + slot.relation() + "|" + object).hashCode(), n);
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

    /**
     * An evidence document: the fact stated in a paraphrase, never in the template, then filler sentences
     * until the document is longer than 200 characters (LAMA-ckl keeps no shorter evidence), as a
     * Wikipedia lead states first the fact its article is about. Measured on the quick world (To-Learn
     * accuracy; Oracle trains on the object tokens alone, 8 epochs): with three to seven filler sentences
     * around the fact Oracle learnt 0.18 and Finetune 0.09 (0.11 after 20 epochs); with the same filler
     * after the fact Oracle learnt 0.47, as from the paraphrase alone. Any text before the fact, even
     * filler naming no entity, made this 4-layer model tie what it learnt to that context, which the
     * probe, read on its own, does not give it. The filler after the fact is what token weighting has to
     * look past: Finetune learns less with it than from the paraphrase alone (0.20 against 0.335 by
     * epoch 8). The README's "What the miniature shows" has every variant measured.
     * {@code [0]} the text, {@code [1]} the same with the object as [MASK].
     */
    public String[] evidence(SplittableRandom rng, World.Slot slot, String object) {
        WorldRelation r = WorldRelation.byCode(slot.relation());
        int i = rng.nextInt(r.paraphrases().size());
        StringBuilder text = new StringBuilder(r.paraphrase(i, slot.subject(), object));
        StringBuilder masked = new StringBuilder(r.paraphrase(i, slot.subject(), "[MASK]"));
        while (text.length() <= MIN_EVIDENCE_CHARS) {
            String f = filler(rng, slot.subject(), object);
            text.append(' ').append(f);
            masked.append(' ').append(f);
        }
        return new String[] {text.toString(), masked.toString()};
    }

    /** LAMA-ckl's builder drops evidence of 200 characters or fewer (the reference's step 4). */
    static final int MIN_EVIDENCE_CHARS = 200;

    public World world() {
        return world;
    }
}
