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
    /**
     * Filler clauses, composed with {@link #OPENERS} into a few hundred sentence forms. The slots name
     * entities of the types facts have as objects ([P] person, [C] city, [K] country, [O] organisation,
     * [L] language, [F] field, [I] instrument, [R] position; [N] a number), so that "the first city the
     * document names" or "the last word before a period" is not the object of its fact: a reader must
     * find the sentence that states the fact.
     */
    private static final List<String> CLAUSES = List.of(
            "[C] is often mentioned in regional newspapers",
            "a short documentary about [C] was shown on television",
            "the archives hold [N] letters that mention [P]",
            "many visitors describe [C] as quiet and green",
            "local historians have written [N] articles on [O]",
            "the annual report of [O] lists [N] smaller projects",
            "a photograph shows a crowded square in [C]",
            "critics have praised the clear style of [P]",
            "the weather in [C] is usually mild during the summer",
            "several streets in [C] were renamed after the last election",
            "[P] appears in a list of notable names from [K]",
            "the museum of [C] displays [N] objects from the period",
            "in a later interview , [P] confirmed the details once more",
            "most of the early documents of [O] were lost in a fire",
            "a new bridge connects [C] with the coast of [K]",
            "the library of [C] keeps a copy of every newspaper",
            "some sources spell the name of [O] differently",
            "students from [C] visit [O] every spring",
            "a festival in honour of [P] takes place every autumn",
            "the old maps of [K] show [N] villages",
            "a delegation of [O] travelled to [C] by train",
            "[P] once gave a lecture on [F] in [C]",
            "a concert for [I] and voice was held in [C]",
            "a dictionary of [L] was printed in [C]",
            "the office of [R] in [C] was vacant for a year",
            "[P] and [P] met at a conference in [C]",
            "a report by [O] compares [C] with [C]",
            "[O] sponsored a prize for young [I] players",
            "the school of [C] teaches [F] and [L]",
            "a letter from [P] to [O] was found in an attic",
            "the road from [C] to [C] was paved",
            "[N] families moved from [K] to [C]",
            "an exhibition on [F] opened at [O]",
            "the newspaper of [C] interviewed [P]",
            "a film shot in [C] won a prize in [K]");
    private static final List<String> OPENERS = List.of("", "", "", "In those years , ", "According to some accounts , ",
            "Later , ", "By the end of the decade , ", "As the records show , ", "Some time ago , ");

    /**
     * Phrases a fact sentence may end with after its object, so that the object is not always the last
     * word before a period. None is a cloze cue: none names an entity or completes a relation's words.
     */
    private static final List<String> TAILS = List.of("according to the records", "as several sources confirm",
            "a detail noted in the archives", "as the annual report states", "as is widely known",
            "since an early date", "as far as anyone recalls", "which surprised few people");
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
        out.addAll(TAILS);
        out.addAll(OPENERS);
        CLAUSES.forEach(c -> out.add(c.replaceAll("\\[[A-Z]\\]", "")));
        out.addAll(NUMBERS);
        WorldRelation.ALL.forEach(r -> r.paraphrases().forEach(x -> out.add(WorldRelation.fill(x, "", ""))));
        return out;
    }

    private final World world;
    private final java.util.Map<Character, List<String>> mentionable;

    public WorldText(World world) {
        this.world = world;
        java.util.Map<Character, List<String>> m = new java.util.HashMap<>();
        // filler names only entities of the first snapshot: pretraining never meets a later entity's name
        SLOT_OF.forEach((t, k) -> m.put(k, world.entities(t).stream().filter(x -> world.since(x) == 0).toList()));
        this.mentionable = java.util.Map.copyOf(m);
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
     * words. The quick base answers the template for 0.280 of these facts, which it never saw in that
     * form (pretraining.json).
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
        return compose(rng, CLAUSES.get(rng.nextInt(CLAUSES.size())), avoid);
    }

    /**
     * A filler sentence naming an entity of {@code type} (any filler where no clause names one) and none of
     * {@code avoid}: beside a fact, it names a rival to the object.
     */
    String fillerNaming(SplittableRandom rng, EntityType type, String... avoid) {
        String slot = "[" + SLOT_OF.get(type) + "]";
        List<String> naming = CLAUSES.stream().filter(c -> c.contains(slot)).toList();
        return naming.isEmpty() ? filler(rng, avoid) : compose(rng, naming.get(rng.nextInt(naming.size())), avoid);
    }

    private static final java.util.Map<EntityType, Character> SLOT_OF = java.util.Map.of(EntityType.PERSON, 'P',
            EntityType.CITY, 'C', EntityType.COUNTRY, 'K', EntityType.ORGANIZATION, 'O', EntityType.LANGUAGE, 'L',
            EntityType.FIELD, 'F', EntityType.INSTRUMENT, 'I', EntityType.POSITION, 'R');

    private String compose(SplittableRandom rng, String clause, String[] avoid) {
        String opener = OPENERS.get(rng.nextInt(OPENERS.size()));
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < clause.length()) {
            char c = clause.charAt(i);
            if (c == '[' && i + 2 < clause.length() && clause.charAt(i + 2) == ']') {
                out.append(slot(rng, clause.charAt(i + 1), avoid));
                i += 3;
            } else {
                out.append(c);
                i++;
            }
        }
        String sentence = opener + out + " .";
        return Character.toUpperCase(sentence.charAt(0)) + sentence.substring(1);
    }

    private String slot(SplittableRandom rng, char kind, String[] avoid) {
        if (kind == 'N') {
            return NUMBERS.get(rng.nextInt(NUMBERS.size()));
        }
        List<String> pool = mentionable.get(kind);
        if (pool == null) {
            throw new IllegalStateException("unknown filler slot [" + kind + "]");
        }
        String e;
        do {
            e = pool.get(rng.nextInt(pool.size()));
        } while (contains(avoid, e));
        return e;
    }

    /** {@code sentence} (ending " .") with a tail phrase after its last word. */
    static String withTail(String sentence, int tail) {
        if (!sentence.endsWith(" .")) {
            throw new IllegalArgumentException("not a sentence ending ' .': " + sentence);
        }
        return sentence.substring(0, sentence.length() - 2) + " , " + TAILS.get(Math.floorMod(tail, TAILS.size())) + " .";
    }

    static int tailCount() {
        return TAILS.size();
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
     * An evidence document: the fact stated in a paraphrase, never in the template, somewhere among
     * filler sentences, until the document is longer than 200 characters (LAMA-ckl keeps no shorter
     * evidence). The number of filler sentences before the fact is drawn (none in {@link #NOTHING_BEFORE}
     * of documents, one or two otherwise), and the fact sentence goes on after its object in
     * {@link #TAILED} of documents, so neither "the first sentence" nor "the word before the first
     * period" is the answer a token-weighting model can learn in place of the content. Filler names
     * people, cities, countries and organisations as the objects do, and the filler before a fact names
     * another entity of its object's type, so "the first city named" is not the answer either.
     *
     * <p>The base is pretrained on profiles whose sentences come in drawn order among filler
     * ({@link WorldDocuments#pretrainTexts}), which lets it learn a fact wherever it sits: a 4-layer base
     * pretrained on single sentences ties what it learns to any text before the fact (Oracle 0.47 with
     * nothing before it, 0.16-0.18 with filler before; docs/miniature.md).
     * {@code [0]} the text, {@code [1]} the same with the object as [MASK].
     */
    public String[] evidence(SplittableRandom rng, World.Slot slot, String object) {
        WorldRelation r = WorldRelation.byCode(slot.relation());
        int i = rng.nextInt(r.paraphrases().size());
        double u = rng.nextDouble();
        int before = u < NOTHING_BEFORE ? 0 : u < (1 + NOTHING_BEFORE) / 2 ? 1 : 2;
        int tail = rng.nextDouble() < TAILED ? rng.nextInt(TAILS.size()) : -1;
        String fact = r.paraphrase(i, slot.subject(), object);
        String maskedFact = r.paraphrase(i, slot.subject(), "[MASK]");
        if (tail >= 0) {
            fact = withTail(fact, tail);
            maskedFact = withTail(maskedFact, tail);
        }
        StringBuilder text = new StringBuilder();
        StringBuilder masked = new StringBuilder();
        for (int k = 0; k < before; k++) {
            String f = fillerNaming(rng, r.object(), slot.subject(), object);
            text.append(f).append(' ');
            masked.append(f).append(' ');
        }
        text.append(fact);
        masked.append(maskedFact);
        while (text.length() <= MIN_EVIDENCE_CHARS) {
            String f = filler(rng, slot.subject(), object);
            text.append(' ').append(f);
            masked.append(' ').append(f);
        }
        return new String[] {text.toString(), masked.toString()};
    }

    /** The share of evidence documents whose fact comes first (at most half, so that the first sentence is not an answer a token-weighting model can learn). */
    static final double NOTHING_BEFORE = 0.4;
    /** The share of evidence documents whose fact sentence goes on after its object. */
    static final double TAILED = 0.5;

    /** LAMA-ckl's builder drops evidence of 200 characters or fewer (the reference's step 4). */
    static final int MIN_EVIDENCE_CHARS = 200;

    public World world() {
        return world;
    }
}
