package org.cklbench.datasets.world;

import java.util.List;

/**
 * A real T-REx relation with its LAMA template, used between fictional entities. Time-variant relations
 * change value between snapshots; invariant ones never do.
 *
 * <p>The template is the probe's form only. Text states a fact in one of the relation's paraphrases, as
 * a Wikipedia sentence states it in its own words: the evidence of a LAMA-ckl fact is never its probe
 * sentence, so learning it from the evidence and answering the probe are two things, as in the real
 * benchmark. Every paraphrase names the subject before the object: a model trained on "[Y] is where [X]
 * was born" alone does not answer "[X] was born in" (the reversal curse), which would make facts
 * unlearnable by construction rather than by the method. No paraphrase begins with the words a
 * template of the same subject type puts before its object (no person's paraphrase starts "[X] is",
 * which is P27's "[X] is [Y] citizen"), so a cloze probe's prefix still names one relation.
 *
 * <p>The set leaves out relations whose template shares the words before the object with another
 * relation of the same subject type (P106 "[X] is a [Y] by profession", P140 "[X] is affiliated
 * with", P264 "[X] is represented by" against P27 "[X] is [Y] citizen"; P136 "[X] plays [Y] music"
 * against P1303 "[X] plays [Y]"): a cloze probe cannot tell such relations apart, so a model that knows
 * the fact could still not be credited with it.
 */
public record WorldRelation(String code, String label, String template, EntityType subject, EntityType object,
                            boolean invariant, List<String> paraphrases) {

    public String sentence(String s, String o) {
        return fill(template, s, o);
    }

    /** The fact in paraphrase {@code i}. */
    public String paraphrase(int i, String s, String o) {
        return fill(paraphrases.get(i), s, o);
    }

    static String fill(String pattern, String s, String o) {
        return pattern.replace("[X]", s).replace("[Y]", o);
    }

    /** The relations of the world (templates as in LAMA's relations.jsonl). */
    public static final List<WorldRelation> ALL = List.of(
            new WorldRelation("P19", "place of birth", "[X] was born in [Y] .", EntityType.PERSON, EntityType.CITY, true,
                    List.of("The birthplace of [X] is [Y] .", "[X] came into the world in [Y] .", "The hometown of [X] is [Y] .")),
            new WorldRelation("P27", "country of citizenship", "[X] is [Y] citizen .", EntityType.PERSON, EntityType.COUNTRY, true,
                    List.of("[X] holds the citizenship of [Y] .", "[X] carries a passport issued by [Y] .", "The nationality of [X] is that of [Y] .")),
            new WorldRelation("P103", "native language", "The native language of [X] is [Y] .", EntityType.PERSON, EntityType.LANGUAGE, true,
                    List.of("[X] grew up speaking [Y] .", "The mother tongue of [X] is [Y] .", "As a child , [X] first learned to speak [Y] .")),
            new WorldRelation("P17", "country", "[X] is located in [Y] .", EntityType.CITY, EntityType.COUNTRY, true,
                    List.of("[X] is a city in [Y] .", "[X] lies within the borders of [Y] .", "The city of [X] belongs to [Y] .")),
            new WorldRelation("P36", "capital", "The capital of [X] is [Y] .", EntityType.COUNTRY, EntityType.CITY, true,
                    List.of("[X] is governed from its capital [Y] .", "The seat of government of [X] is [Y] .", "[X] has its capital city in [Y] .")),
            new WorldRelation("P37", "official language", "The official language of [X] is [Y] .", EntityType.COUNTRY, EntityType.LANGUAGE, true,
                    List.of("[X] conducts its official business in [Y] .", "The language of government in [X] is [Y] .", "In [X] , laws are written in [Y] .")),
            new WorldRelation("P47", "shares border with", "[X] shares border with [Y] .", EntityType.COUNTRY, EntityType.COUNTRY, true,
                    List.of("[X] is a neighbour of [Y] .", "[X] has a common frontier with [Y] .", "The territory of [X] touches [Y] .")),
            new WorldRelation("P740", "location of formation", "[X] was founded in [Y] .", EntityType.ORGANIZATION, EntityType.CITY, true,
                    List.of("[X] was established in the city of [Y] .", "The founders of [X] started it in [Y] .", "[X] has its origins in [Y] .")),
            new WorldRelation("P108", "employer", "[X] works for [Y] .", EntityType.PERSON, EntityType.ORGANIZATION, false,
                    List.of("[X] draws a salary from [Y] .", "[X] belongs to the staff of [Y] .", "The employer of [X] is [Y] .")),
            new WorldRelation("P101", "field of work", "[X] works in the field of [Y] .", EntityType.PERSON, EntityType.FIELD, false,
                    List.of("[X] specialises in [Y] .", "The research of [X] is in [Y] .", "[X] studies and teaches [Y] .")),
            new WorldRelation("P39", "position held", "[X] has the position of [Y] .", EntityType.PERSON, EntityType.POSITION, false,
                    List.of("[X] serves as [Y] .", "[X] holds the office of [Y] .", "The current post of [X] is [Y] .")),
            new WorldRelation("P1303", "instrument", "[X] plays [Y] .", EntityType.PERSON, EntityType.INSTRUMENT, false,
                    List.of("[X] performs on the [Y] .", "The instrument of [X] is the [Y] .", "[X] makes music on the [Y] .")),
            new WorldRelation("P159", "headquarters location", "The headquarter of [X] is in [Y] .", EntityType.ORGANIZATION, EntityType.CITY, false,
                    List.of("[X] has its head office in [Y] .", "[X] is headquartered in [Y] .", "The main offices of [X] are in [Y] .")),
            new WorldRelation("P127", "owned by", "[X] is owned by [Y] .", EntityType.ORGANIZATION, EntityType.ORGANIZATION, false,
                    List.of("[X] belongs to [Y] .", "The owner of [X] is [Y] .", "[X] is a property of [Y] .")),
            new WorldRelation("P530", "diplomatic relation", "[X] maintains diplomatic relations with [Y] .", EntityType.COUNTRY, EntityType.COUNTRY, false,
                    List.of("[X] exchanges ambassadors with [Y] .", "[X] keeps formal ties with [Y] .", "The diplomats of [X] are received by [Y] .")));

    public static WorldRelation byCode(String code) {
        return ALL.stream().filter(r -> r.code.equals(code)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no world relation " + code));
    }
}
