package org.cklbench.datasets.world;

import java.util.List;

/**
 * A real T-REx relation with its LAMA template, used between fictional entities. Time-variant relations
 * change value between snapshots; invariant ones never do.
 *
 * <p>The set leaves out relations whose template shares the words before the object with another
 * relation of the same subject type (P106 "[X] is a [Y] by profession", P140 "[X] is affiliated
 * with", P264 "[X] is represented by" against P27 "[X] is [Y] citizen"; P136 "[X] plays [Y] music"
 * against P1303 "[X] plays [Y]"): a cloze probe cannot tell such relations apart, so a model that knows
 * the fact could still not be credited with it.
 */
public record WorldRelation(String code, String label, String template, EntityType subject, EntityType object,
                            boolean invariant) {

    public String sentence(String s, String o) {
        return template.replace("[X]", s).replace("[Y]", o);
    }

    /** The relations of the world (templates as in LAMA's relations.jsonl). */
    public static final List<WorldRelation> ALL = List.of(
            new WorldRelation("P19", "place of birth", "[X] was born in [Y] .", EntityType.PERSON, EntityType.CITY, true),
            new WorldRelation("P27", "country of citizenship", "[X] is [Y] citizen .", EntityType.PERSON, EntityType.COUNTRY, true),
            new WorldRelation("P103", "native language", "The native language of [X] is [Y] .", EntityType.PERSON, EntityType.LANGUAGE, true),
            new WorldRelation("P17", "country", "[X] is located in [Y] .", EntityType.CITY, EntityType.COUNTRY, true),
            new WorldRelation("P36", "capital", "The capital of [X] is [Y] .", EntityType.COUNTRY, EntityType.CITY, true),
            new WorldRelation("P37", "official language", "The official language of [X] is [Y] .", EntityType.COUNTRY, EntityType.LANGUAGE, true),
            new WorldRelation("P47", "shares border with", "[X] shares border with [Y] .", EntityType.COUNTRY, EntityType.COUNTRY, true),
            new WorldRelation("P740", "location of formation", "[X] was founded in [Y] .", EntityType.ORGANIZATION, EntityType.CITY, true),
            new WorldRelation("P108", "employer", "[X] works for [Y] .", EntityType.PERSON, EntityType.ORGANIZATION, false),
            new WorldRelation("P101", "field of work", "[X] works in the field of [Y] .", EntityType.PERSON, EntityType.FIELD, false),
            new WorldRelation("P39", "position held", "[X] has the position of [Y] .", EntityType.PERSON, EntityType.POSITION, false),
            new WorldRelation("P1303", "instrument", "[X] plays [Y] .", EntityType.PERSON, EntityType.INSTRUMENT, false),
            new WorldRelation("P159", "headquarters location", "The headquarter of [X] is in [Y] .", EntityType.ORGANIZATION, EntityType.CITY, false),
            new WorldRelation("P127", "owned by", "[X] is owned by [Y] .", EntityType.ORGANIZATION, EntityType.ORGANIZATION, false),
            new WorldRelation("P530", "diplomatic relation", "[X] maintains diplomatic relations with [Y] .", EntityType.COUNTRY, EntityType.COUNTRY, false));

    public static WorldRelation byCode(String code) {
        return ALL.stream().filter(r -> r.code.equals(code)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no world relation " + code));
    }
}
