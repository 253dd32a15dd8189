package org.cklbench.lamackl.build;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * {@code dedup-report.json}: for every split and every pair of splits, how many documents duplicate
 * another (exactly, nearly, or by their triple), and every pair found.
 */
public final class DedupReport {
    private static final ObjectMapper JSON = new ObjectMapper();

    private DedupReport() {
    }

    public static ObjectNode build(Map<String, Integer> splitSizes, List<Dedup.Pair> pairs, Map<String, Object> removed) {
        ObjectNode root = JSON.createObjectNode();
        ObjectNode method = root.putObject("method");
        method.put("exact", "same evidence text after lower-casing and collapsing white space");
        method.put("near", "Jaccard similarity of word " + Dedup.SHINGLE + "-shingle sets >= " + Dedup.NEAR_JACCARD
                + " (Lucene StandardTokenizer, lower-cased); candidates from a Lucene index of " + Dedup.BUCKETS
                + "-bucket MinHash signatures, checked exactly");
        method.put("triple", "identical (subject, relation_code, object)");
        method.put("counting", "within a split, documents that repeat an earlier one (a group of n copies counts n - 1);"
                + " across splits, distinct evidence texts of one split found in the other; overlaps: distinct"
                + " (To-Learn text, Not-To-Forget text) pairs that are exact or near duplicates");
        root.set("splits", JSON.valueToTree(splitSizes));
        List<String> order = List.copyOf(splitSizes.keySet());

        // within: split -> kind -> later documents; across: "a~b" -> direction -> kind -> texts
        Map<String, Map<String, Set<String>>> within = new TreeMap<>();
        Map<String, Map<String, Map<String, Set<String>>>> across = new LinkedHashMap<>();
        Map<String, Map<String, Integer>> pairCounts = new LinkedHashMap<>();
        Set<String> overlaps = new LinkedHashSet<>();
        for (Dedup.Pair p : pairs) {
            String sa = p.a().split();
            String sb = p.b().split();
            String key;
            if (sa.equals(sb)) {
                key = sa;
                // Pairs are in document order: the later document is the duplicate.
                within.computeIfAbsent(sa, k -> new TreeMap<>()).computeIfAbsent(p.kind(), k -> new LinkedHashSet<>())
                        .add(p.b().row().uuid());
            } else {
                boolean aFirst = order.indexOf(sa) < order.indexOf(sb);
                Dedup.Doc first = aFirst ? p.a() : p.b();
                Dedup.Doc second = aFirst ? p.b() : p.a();
                key = first.split() + "~" + second.split();
                Map<String, Map<String, Set<String>>> m = across.computeIfAbsent(key, x -> new LinkedHashMap<>());
                m.computeIfAbsent(first.split() + "_in_" + second.split(), x -> new TreeMap<>())
                        .computeIfAbsent(p.kind(), x -> new LinkedHashSet<>()).add(Dedup.normalize(first.row().evidence()));
                m.computeIfAbsent(second.split() + "_in_" + first.split(), x -> new TreeMap<>())
                        .computeIfAbsent(p.kind(), x -> new LinkedHashSet<>()).add(Dedup.normalize(second.row().evidence()));
                if (first.split().equals("to_learn") && second.split().startsWith("not_to_forget") && !p.kind().equals("triple")) {
                    overlaps.add(Dedup.normalize(first.row().evidence()) + "\u0000" + Dedup.normalize(second.row().evidence()));
                }
            }
            pairCounts.computeIfAbsent(key, x -> new TreeMap<>()).merge(p.kind(), 1, Integer::sum);
        }
        ObjectNode w = root.putObject("within");
        for (String split : order) {
            ObjectNode s = w.putObject(split);
            Map<String, Set<String>> m = within.getOrDefault(split, Map.of());
            s.put("exact_duplicate_documents", m.getOrDefault("exact", Set.of()).size());
            s.put("near_duplicate_documents", m.getOrDefault("near", Set.of()).size());
            s.put("identical_triple_documents", m.getOrDefault("triple", Set.of()).size());
            s.set("pairs", JSON.valueToTree(pairCounts.getOrDefault(split, Map.of())));
        }
        ObjectNode a = root.putObject("across");
        Set<String> toLearnInNtf = new LinkedHashSet<>();
        across.forEach((key, m) -> {
            ObjectNode s = a.putObject(key);
            m.forEach((direction, kinds) -> {
                ObjectNode d = s.putObject(direction);
                Set<String> textual = new LinkedHashSet<>(kinds.getOrDefault("exact", Set.of()));
                d.put("exact", textual.size());
                textual.addAll(kinds.getOrDefault("near", Set.of()));
                d.put("exact_or_near", textual.size());
                d.put("identical_triples", kinds.getOrDefault("triple", Set.of()).size());
                if (direction.startsWith("to_learn_in_not_to_forget")) {
                    toLearnInNtf.addAll(textual);
                }
            });
            s.set("pairs", JSON.valueToTree(pairCounts.getOrDefault(key, Map.of())));
        });
        root.put("to_learn_texts_also_in_not_to_forget", toLearnInNtf.size());
        root.put("to_learn_not_to_forget_overlaps", overlaps.size());
        root.set("removed", JSON.valueToTree(removed));
        ArrayNode list = root.putArray("pairs");
        for (Dedup.Pair p : pairs) {
            ObjectNode o = list.addObject();
            o.put("kind", p.kind());
            o.put("split_a", p.a().split());
            o.put("uuid_a", p.a().row().uuid());
            o.put("split_b", p.b().split());
            o.put("uuid_b", p.b().row().uuid());
            if (!Double.isNaN(p.jaccard())) {
                o.put("jaccard", Math.round(p.jaccard() * 10000) / 10000.0);
            }
        }
        return root;
    }

}
