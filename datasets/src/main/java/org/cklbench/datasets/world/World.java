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

    /**
     * Sizes and rates of a world. Each snapshot after the first changes a {@code changeRate} share of the
     * time-variant facts, adds new ones to existing persons at {@code newFactRate}, and brings new
     * persons and organisations ({@code newEntityRate} of the first snapshot's counts), as Wikidata and
     * Wikipedia grow between dumps. A base pretrained on snapshot 0 knows nothing of those entities; the
     * facts it must learn are then partly new and partly changed, as LAMA-ckl's facts "no model answers"
     * are for a real model.
     */
    public record Spec(long seed, int persons, int cities, int countries, int organizations, int snapshots,
                       double changeRate, double newFactRate, double newEntityRate) {
        /** The world of the {@code smoke} preset: a few dozen entities, seconds to pretrain. */
        public static Spec smoke() {
            return new Spec(20240717L, 24, 12, 6, 12, 4, 0.3, 0.05, 0.4);
        }

        /** The world of the {@code quick} preset. */
        public static Spec quick() {
            return new Spec(20240716L, 150, 120, 30, 150, 4, 0.3, 0.05, 0.4);
        }
    }

    /** A subject–relation slot; each holds one object per snapshot (or none). */
    public record Slot(String subject, String relation) {
    }

    private final Spec spec;
    private final Map<EntityType, List<String>> entities;
    private final Map<String, Integer> since;
    private final List<Map<Slot, String>> snapshots;

    private World(Spec spec, Map<EntityType, List<String>> entities, Map<String, Integer> since,
                  List<Map<Slot, String>> snapshots) {
        this.spec = spec;
        this.entities = entities;
        this.since = since;
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
        // Names are pairs of words from pools that the first snapshot's entities use up, so every word of a
        // later entity's name is one pretraining has read, as a new name in a real corpus is made of known
        // subword pieces. (A name word pretraining never read keeps a random embedding and, as an object, an
        // output row pushed down throughout pretraining: Finetune learns at most 0.03 of the facts naming one.)
        List<String> first = names.words(Math.max(4, spec.persons() * 2 / 5), 2);
        List<String> last = names.words(Math.max(4, spec.persons() * 4 / 5), 2);
        List<String> stems = names.words(Math.max(2, spec.organizations() * 2 / 3), 2);
        Set<String> seen = new LinkedHashSet<>();
        List<String> persons = pairs(spec.persons(), first, last, seen, true, rng);
        e.put(EntityType.PERSON, persons);
        List<String> orgs = pairs(spec.organizations(), stems, ORG_KINDS, seen, true, rng);
        e.put(EntityType.ORGANIZATION, orgs);
        e.put(EntityType.FIELD, FIELDS);
        e.put(EntityType.POSITION, POSITIONS);
        e.put(EntityType.INSTRUMENT, INSTRUMENTS);
        // the entities each later snapshot brings, drawn now so snapshot 0's facts do not depend on them
        int newPersons = (int) Math.round(spec.persons() * spec.newEntityRate());
        int newOrgs = (int) Math.round(spec.organizations() * spec.newEntityRate());
        List<List<String>> laterPersons = new ArrayList<>();
        List<List<String>> laterOrgs = new ArrayList<>();
        for (int k = 1; k < spec.snapshots(); k++) {
            laterPersons.add(pairs(newPersons, first, last, seen, false, rng));
            laterOrgs.add(pairs(newOrgs, stems, ORG_KINDS, seen, false, rng));
        }
        Map<String, Integer> since = new LinkedHashMap<>();
        e.values().forEach(list -> list.forEach(x -> since.put(x, 0)));
        for (int k = 1; k < spec.snapshots(); k++) {
            for (String x : laterPersons.get(k - 1)) {
                since.put(x, k);
            }
            for (String x : laterOrgs.get(k - 1)) {
                since.put(x, k);
            }
        }
        Map<EntityType, List<String>> present = new EnumMap<>(EntityType.class);
        e.forEach((k, v) -> present.put(k, new ArrayList<>(v)));

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
            addPerson(s0, p, cities, countryOfCity, languageOf, present, rng);
        }
        for (String o : orgs) {
            addOrganization(s0, o, cities, present, rng);
        }

        List<Map<Slot, String>> snaps = new ArrayList<>();
        snaps.add(Collections.unmodifiableMap(s0));
        for (int k = 1; k < spec.snapshots(); k++) {
            Map<Slot, String> prev = snaps.get(k - 1);
            Map<Slot, String> next = new LinkedHashMap<>(prev);
            for (Map.Entry<Slot, String> f : prev.entrySet()) {
                WorldRelation r = WorldRelation.byCode(f.getKey().relation());
                if (!r.invariant() && rng.nextDouble() < spec.changeRate()) {
                    next.put(f.getKey(), otherValue(r, f.getKey().subject(), f.getValue(), present, rng));
                }
            }
            for (String p : present.get(EntityType.PERSON)) {
                for (String rel : List.of("P108", "P101", "P39")) {
                    Slot slot = new Slot(p, rel);
                    if (!next.containsKey(slot) && rng.nextDouble() < spec.newFactRate()) {
                        next.put(slot, otherValue(WorldRelation.byCode(rel), p, null, present, rng));
                    }
                }
            }
            // new entities arrive with all their facts; they may then be the object of others' later facts
            for (String o : laterOrgs.get(k - 1)) {
                present.get(EntityType.ORGANIZATION).add(o);
            }
            for (String o : laterOrgs.get(k - 1)) {
                addOrganization(next, o, cities, present, rng);
            }
            for (String p : laterPersons.get(k - 1)) {
                present.get(EntityType.PERSON).add(p);
                addPerson(next, p, cities, countryOfCity, languageOf, present, rng);
            }
            snaps.add(Collections.unmodifiableMap(next));
        }
        List<String> allPersons = new ArrayList<>(persons);
        laterPersons.forEach(allPersons::addAll);
        List<String> allOrgs = new ArrayList<>(orgs);
        laterOrgs.forEach(allOrgs::addAll);
        e.put(EntityType.PERSON, allPersons);
        e.put(EntityType.ORGANIZATION, allOrgs);
        e.replaceAll((k, v) -> Collections.unmodifiableList(new ArrayList<>(v)));
        return new World(spec, e, Collections.unmodifiableMap(since), List.copyOf(snaps));
    }

    /**
     * {@code n} new names "a b" with a from {@code as} and b from {@code bs}, none in {@code seen}; with
     * {@code cover}, the first names made use every word of both pools (the pools must not be larger
     * than {@code n}).
     */
    private static List<String> pairs(int n, List<String> as, List<String> bs, Set<String> seen, boolean cover,
                                      SplittableRandom rng) {
        List<String> out = new ArrayList<>();
        int covering = cover ? Math.max(as.size(), bs.size()) : 0;
        if (covering > n) {
            throw new IllegalArgumentException("name pools of " + as.size() + " and " + bs.size()
                    + " words cannot all be used by " + n + " names");
        }
        List<String> aOrder = shuffled(as, rng);
        List<String> bOrder = shuffled(bs, rng);
        for (int i = 0; out.size() < n; i++) {
            String a = i < covering ? aOrder.get(i % as.size()) : as.get(rng.nextInt(as.size()));
            String b = i < covering ? bOrder.get(i % bs.size()) : bs.get(rng.nextInt(bs.size()));
            if (seen.add(a + " " + b)) {
                out.add(a + " " + b);
            }
        }
        return out;
    }

    private static List<String> shuffled(List<String> list, SplittableRandom rng) {
        List<String> out = new ArrayList<>(list);
        for (int i = out.size() - 1; i > 0; i--) {
            Collections.swap(out, i, rng.nextInt(i + 1));
        }
        return out;
    }

    private static void addPerson(Map<Slot, String> facts, String p, List<String> cities, Map<String, String> countryOfCity,
                                  Map<String, String> languageOf, Map<EntityType, List<String>> present,
                                  SplittableRandom rng) {
        String born = cities.get(rng.nextInt(cities.size()));
        String country = countryOfCity.get(born);
        facts.put(new Slot(p, "P19"), born);
        facts.put(new Slot(p, "P27"), country);
        facts.put(new Slot(p, "P103"), languageOf.get(country));
        maybe(facts, p, "P108", 0.8, present, rng);
        maybe(facts, p, "P101", 0.6, present, rng);
        maybe(facts, p, "P39", 0.3, present, rng);
        maybe(facts, p, "P1303", 0.15, present, rng);
    }

    private static void addOrganization(Map<Slot, String> facts, String o, List<String> cities,
                                        Map<EntityType, List<String>> present, SplittableRandom rng) {
        facts.put(new Slot(o, "P740"), cities.get(rng.nextInt(cities.size())));
        facts.put(new Slot(o, "P159"), cities.get(rng.nextInt(cities.size())));
        if (rng.nextDouble() < 0.3) {
            facts.put(new Slot(o, "P127"), other(present.get(EntityType.ORGANIZATION), o, rng));
        }
    }

    /** The snapshot an entity first appears in (0 for those the base is pretrained on). */
    public int since(String entity) {
        return since.getOrDefault(entity, 0);
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
