package org.cklbench.datasets.world;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * A seeded fictional world: entities of several types, and facts over real T-REx relations in a
 * sequence of snapshots. Invariant facts are the same in every snapshot; time-variant facts change
 * value (and new ones appear) from one snapshot to the next, as Wikidata does between dumps.
 *
 * <p>The world is consistent where the relations demand it: a capital lies in its country, a person's
 * citizenship is the country of their birth city and their native language its official language.
 */
public final class World {

    /** Sizes and rates of a world. */
    public record Spec(long seed, int persons, int cities, int countries, int organizations, int snapshots,
                       double changeRate, double newFactRate) {
        /** The world of the {@code smoke} preset: a few dozen entities, seconds to pretrain. */
        public static Spec smoke() {
            return new Spec(20240717L, 24, 12, 6, 12, 4, 0.9, 0.05);
        }

        /** The world of the {@code quick} preset. */
        public static Spec quick() {
            return new Spec(20240716L, 150, 120, 30, 150, 4, 0.9, 0.05);
        }
    }

    /** A subject–relation slot; each holds one object per snapshot (or none). */
    public record Slot(String subject, String relation) {
    }

    private final Spec spec;
    private final Map<EntityType, List<String>> entities;
    private final List<Map<Slot, String>> snapshots;

    private World(Spec spec, Map<EntityType, List<String>> entities, List<Map<Slot, String>> snapshots) {
        this.spec = spec;
        this.entities = entities;
        this.snapshots = snapshots;
    }

    public Spec spec() {
        return spec;
    }

    public List<String> entities(EntityType t) {
        return entities.get(t);
    }

    public Map<EntityType, List<String>> entities() {
        return entities;
    }

    /** The facts of snapshot {@code k} (0 is the one the base model is pretrained on). */
    public Map<Slot, String> snapshot(int k) {
        return snapshots.get(k);
    }

    public int snapshotCount() {
        return snapshots.size();
    }

    private static final List<String> FIELDS = List.of("mathematics", "astronomy", "linguistics", "medicine",
            "economics", "philosophy", "zoology", "agriculture", "robotics", "archaeology", "oceanography", "genetics",
            "sociology", "acoustics");
    private static final List<String> POSITIONS = List.of("mayor", "senator", "ambassador", "governor", "treasurer",
            "chancellor", "minister", "judge", "consul", "president");
    private static final List<String> INSTRUMENTS = List.of("violin", "cello", "piano", "trumpet", "harp", "flute",
            "guitar", "clarinet", "drums", "saxophone");
    private static final List<String> ORG_KINDS = List.of("Industries", "Bank", "Foundation", "Institute", "Holdings",
            "Works", "Company", "Group");

    public static World generate(Spec spec) {
        SplittableRandom rng = new SplittableRandom(spec.seed());
        Names names = new Names(rng);
        Map<EntityType, List<String>> e = new EnumMap<>(EntityType.class);
        e.put(EntityType.COUNTRY, names.words(spec.countries(), 3));
        e.put(EntityType.LANGUAGE, names.words(spec.countries() / 2 + 2, 2).stream().map(w -> w + "ic").toList());
        e.put(EntityType.CITY, names.words(spec.cities(), 2));
        List<String> persons = new ArrayList<>();
        List<String> first = names.words(60, 2);
        List<String> last = names.words(120, 2);
        Set<String> seen = new LinkedHashSet<>();
        while (persons.size() < spec.persons()) {
            String p = first.get(rng.nextInt(first.size())) + " " + last.get(rng.nextInt(last.size()));
            if (seen.add(p)) {
                persons.add(p);
            }
        }
        e.put(EntityType.PERSON, persons);
        List<String> orgStems = names.words(spec.organizations(), 2);
        List<String> orgs = new ArrayList<>();
        for (String s : orgStems) {
            orgs.add(s + " " + ORG_KINDS.get(rng.nextInt(ORG_KINDS.size())));
        }
        e.put(EntityType.ORGANIZATION, orgs);
        e.put(EntityType.FIELD, FIELDS);
        e.put(EntityType.POSITION, POSITIONS);
        e.put(EntityType.INSTRUMENT, INSTRUMENTS);
        e.replaceAll((k, v) -> Collections.unmodifiableList(new ArrayList<>(v)));

        Map<Slot, String> s0 = new LinkedHashMap<>();
        List<String> countries = e.get(EntityType.COUNTRY);
        List<String> cities = e.get(EntityType.CITY);
        List<String> languages = e.get(EntityType.LANGUAGE);
        Map<String, String> countryOfCity = new LinkedHashMap<>();
        for (int i = 0; i < cities.size(); i++) {
            // the first cities are the capitals, one per country, so every country has a city
            countryOfCity.put(cities.get(i), countries.get(i < countries.size() ? i : rng.nextInt(countries.size())));
        }
        Map<String, String> languageOf = new LinkedHashMap<>();
        for (int i = 0; i < countries.size(); i++) {
            String c = countries.get(i);
            languageOf.put(c, languages.get(i % languages.size()));
            s0.put(new Slot(c, "P36"), cities.get(i));
            s0.put(new Slot(c, "P37"), languageOf.get(c));
            s0.put(new Slot(c, "P47"), other(countries, c, rng));
            s0.put(new Slot(c, "P530"), other(countries, c, rng));
        }
        countryOfCity.forEach((city, country) -> s0.put(new Slot(city, "P17"), country));
        for (String p : persons) {
            String born = cities.get(rng.nextInt(cities.size()));
            String country = countryOfCity.get(born);
            s0.put(new Slot(p, "P19"), born);
            s0.put(new Slot(p, "P27"), country);
            s0.put(new Slot(p, "P103"), languageOf.get(country));
            maybe(s0, p, "P108", 0.8, e, rng);
            maybe(s0, p, "P101", 0.6, e, rng);
            maybe(s0, p, "P39", 0.3, e, rng);
            maybe(s0, p, "P1303", 0.15, e, rng);
        }
        for (String o : orgs) {
            s0.put(new Slot(o, "P740"), cities.get(rng.nextInt(cities.size())));
            s0.put(new Slot(o, "P159"), cities.get(rng.nextInt(cities.size())));
            if (rng.nextDouble() < 0.3) {
                s0.put(new Slot(o, "P127"), other(orgs, o, rng));
            }
        }

        List<Map<Slot, String>> snaps = new ArrayList<>();
        snaps.add(Collections.unmodifiableMap(s0));
        for (int k = 1; k < spec.snapshots(); k++) {
            Map<Slot, String> prev = snaps.get(k - 1);
            Map<Slot, String> next = new LinkedHashMap<>(prev);
            for (Map.Entry<Slot, String> f : prev.entrySet()) {
                WorldRelation r = WorldRelation.byCode(f.getKey().relation());
                if (!r.invariant() && rng.nextDouble() < spec.changeRate()) {
                    next.put(f.getKey(), otherValue(r, f.getKey().subject(), f.getValue(), e, rng));
                }
            }
            for (String p : persons) {
                for (String rel : List.of("P108", "P101", "P39")) {
                    Slot slot = new Slot(p, rel);
                    if (!next.containsKey(slot) && rng.nextDouble() < spec.newFactRate()) {
                        next.put(slot, otherValue(WorldRelation.byCode(rel), p, null, e, rng));
                    }
                }
            }
            snaps.add(Collections.unmodifiableMap(next));
        }
        return new World(spec, e, List.copyOf(snaps));
    }

    private static String other(List<String> pool, String not, SplittableRandom rng) {
        String o;
        do {
            o = pool.get(rng.nextInt(pool.size()));
        } while (o.equals(not));
        return o;
    }

    private static void maybe(Map<Slot, String> facts, String subject, String rel, double p,
                              Map<EntityType, List<String>> e, SplittableRandom rng) {
        if (rng.nextDouble() < p) {
            facts.put(new Slot(subject, rel), otherValue(WorldRelation.byCode(rel), subject, null, e, rng));
        }
    }

    /** A value of {@code r}'s object type other than {@code old} (and than the subject itself). */
    private static String otherValue(WorldRelation r, String subject, String old, Map<EntityType, List<String>> e,
                                     SplittableRandom rng) {
        List<String> pool = e.get(r.object());
        String o;
        do {
            o = pool.get(rng.nextInt(pool.size()));
        } while (o.equals(old) || o.equals(subject));
        return o;
    }
}
