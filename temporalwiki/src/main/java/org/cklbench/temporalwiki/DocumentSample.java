package org.cklbench.temporalwiki;

import org.cklbench.io.Hashing;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * A smaller period for a quick preset ({@code max_documents}): a fixed share of the diffset's documents,
 * the Changed probes whose evidence (a document naming the probe's subject and object, the oracle's
 * test) was kept, and the same share of the Unchanged probes. Which items are kept follows from their
 * text alone (the smallest SHA-256 of period and text), never from the run's seed, so every run of a
 * board (every method, every seed) is scored on the same sample, and the file's order does not matter.
 * Kept items keep their order in the file.
 */
record DocumentSample(List<String> documents, List<TwikiProbe> changed, List<TwikiProbe> unchanged) {

    static DocumentSample of(Period p, List<String> diffs, List<TwikiProbe> changed, List<TwikiProbe> unchanged,
                             int maxDocuments) {
        List<String> docs = smallestHashes(p, diffs, maxDocuments, d -> d);
        List<TwikiProbe> evidenced = new ArrayList<>();
        for (TwikiProbe c : changed) {
            if (docs.stream().anyMatch(d -> d.contains(c.subject()) && d.contains(c.object()))) {
                evidenced.add(c);
            }
        }
        int keepUnchanged = (int) Math.round((double) unchanged.size() * docs.size() / diffs.size());
        List<TwikiProbe> kept = smallestHashes(p, unchanged, Math.max(1, keepUnchanged),
                u -> u.subject() + "\t" + u.relation() + "\t" + u.object());
        if (evidenced.isEmpty()) {
            throw new IllegalArgumentException("max_documents " + maxDocuments + " keeps no document that is evidence for"
                    + " a Changed probe of period " + p.name() + "; raise it, or 0 for all");
        }
        return new DocumentSample(docs, evidenced, kept);
    }

    /** The {@code n} items with the smallest SHA-256 of period and key, in their original order. */
    private static <T> List<T> smallestHashes(Period p, List<T> items, int n, Function<T, String> key) {
        if (items.size() <= n) {
            return items;
        }
        List<Integer> order = new ArrayList<>();
        List<String> hashes = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            order.add(i);
            hashes.add(Hashing.sha256(p.name() + "\n" + key.apply(items.get(i))));
        }
        // ties (the same text twice) broken by position, so the choice is total
        order.sort(Comparator.comparing((Integer i) -> hashes.get(i)).thenComparing(i -> i));
        Set<Integer> keep = new HashSet<>(order.subList(0, n));
        List<T> out = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            if (keep.contains(i)) {
                out.add(items.get(i));
            }
        }
        return out;
    }
}
