package org.cklbench.lamackl.build;

import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.LowerCaseFilter;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.Tokenizer;
import org.apache.lucene.analysis.minhash.MinHashFilter;
import org.apache.lucene.analysis.shingle.ShingleFilter;
import org.apache.lucene.analysis.standard.StandardTokenizer;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.document.TextField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.ConstantScoreQuery;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.store.ByteBuffersDirectory;
import org.apache.lucene.store.Directory;
import org.cklbench.lamackl.LamaCklRow;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Duplicate evidence across and within the splits, with Apache Lucene.
 *
 * <p>Exact duplicates: the same text after lower-casing and collapsing white space. Near duplicates:
 * word 3-shingle sets (Lucene's StandardTokenizer, lower-cased, {@link ShingleFilter}) with Jaccard
 * similarity ≥ {@link #NEAR_JACCARD}. Candidates come from a Lucene index of each document's MinHash
 * signature ({@link MinHashFilter}, 128 buckets over the shingles): a document's signature terms are
 * the query, and any document sharing at least a quarter of them is checked exactly. Documents too
 * short for a shingle are compared by their exact text only. Identical (subject, relation, object)
 * triples are found too.
 */
public final class Dedup {
    public static final double NEAR_JACCARD = 0.7;
    static final int BUCKETS = 128;
    static final int SHINGLE = 3;

    /** A document of a split. */
    public record Doc(String split, LamaCklRow row) {
        String key() {
            return split + "/" + row.uuid();
        }
    }

    /** Two documents that duplicate each other: kind is exact, near or triple. */
    public record Pair(String kind, Doc a, Doc b, double jaccard) {
    }

    private Dedup() {
    }

    static String normalize(String text) {
        return text.toLowerCase(Locale.ROOT).replaceAll("\\s+", " ").trim();
    }

    private static Analyzer shingles() {
        return new Analyzer() {
            @Override
            protected TokenStreamComponents createComponents(String field) {
                Tokenizer t = new StandardTokenizer();
                return new TokenStreamComponents(t, wordShingles(t));
            }
        };
    }

    /** Lower-cased word n-grams of exactly {@code SHINGLE} words, the unit both analyzers compare. */
    private static TokenStream wordShingles(Tokenizer t) {
        ShingleFilter sh = new ShingleFilter(new LowerCaseFilter(t), SHINGLE, SHINGLE);
        sh.setOutputUnigrams(false);
        return sh;
    }

    private static Analyzer minhash() {
        return new Analyzer() {
            @Override
            protected TokenStreamComponents createComponents(String field) {
                Tokenizer t = new StandardTokenizer();
                TokenStream mh = new MinHashFilter(wordShingles(t), 1, BUCKETS, 1, true);
                return new TokenStreamComponents(t, mh);
            }
        };
    }

    static Set<String> terms(Analyzer a, String text) {
        Set<String> out = new LinkedHashSet<>();
        try (TokenStream ts = a.tokenStream("f", text)) {
            CharTermAttribute term = ts.addAttribute(CharTermAttribute.class);
            ts.reset();
            while (ts.incrementToken()) {
                out.add(term.toString());
            }
            ts.end();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    static double jaccard(Set<String> a, Set<String> b) {
        if (a.isEmpty() || b.isEmpty()) {
            return 0;
        }
        int inter = 0;
        for (String s : a) {
            if (b.contains(s)) {
                inter++;
            }
        }
        return (double) inter / (a.size() + b.size() - inter);
    }

    /** Every duplicate pair among {@code docs} (each unordered pair once, in document order). */
    public static List<Pair> find(List<Doc> docs) throws IOException {
        List<Pair> pairs = new ArrayList<>();
        Map<String, List<Integer>> byText = new LinkedHashMap<>();
        Map<String, List<Integer>> byTriple = new LinkedHashMap<>();
        for (int i = 0; i < docs.size(); i++) {
            LamaCklRow r = docs.get(i).row();
            byText.computeIfAbsent(normalize(r.evidence()), k -> new ArrayList<>()).add(i);
            byTriple.computeIfAbsent(r.subject() + "\u0000" + r.relationCode() + "\u0000" + r.object(),
                    k -> new ArrayList<>()).add(i);
        }
        Set<Long> exact = new HashSet<>();
        for (List<Integer> group : byText.values()) {
            for (int x = 0; x < group.size(); x++) {
                for (int y = x + 1; y < group.size(); y++) {
                    pairs.add(new Pair("exact", docs.get(group.get(x)), docs.get(group.get(y)), 1.0));
                    exact.add(pairKey(group.get(x), group.get(y)));
                }
            }
        }
        for (List<Integer> group : byTriple.values()) {
            for (int x = 0; x < group.size(); x++) {
                for (int y = x + 1; y < group.size(); y++) {
                    pairs.add(new Pair("triple", docs.get(group.get(x)), docs.get(group.get(y)), Double.NaN));
                }
            }
        }
        pairs.addAll(near(docs, exact));
        return pairs;
    }

    private static long pairKey(int a, int b) {
        return ((long) Math.min(a, b) << 32) | Math.max(a, b);
    }

    private static List<Pair> near(List<Doc> docs, Set<Long> exact) throws IOException {
        List<Pair> out = new ArrayList<>();
        try (Analyzer sh = shingles(); Analyzer mh = minhash(); Directory dir = new ByteBuffersDirectory()) {
            List<Set<String>> shingleSets = new ArrayList<>();
            List<Set<String>> signatures = new ArrayList<>();
            try (IndexWriter w = new IndexWriter(dir, new IndexWriterConfig(mh))) {
                for (int i = 0; i < docs.size(); i++) {
                    String text = docs.get(i).row().evidence();
                    shingleSets.add(terms(sh, text));
                    signatures.add(terms(mh, text));
                    Document d = new Document();
                    d.add(new StoredField("i", i));
                    d.add(new StringField("key", docs.get(i).key(), Field.Store.NO));
                    d.add(new TextField("sig", text, Field.Store.NO));
                    w.addDocument(d);
                }
            }
            try (DirectoryReader reader = DirectoryReader.open(dir)) {
                IndexSearcher searcher = new IndexSearcher(reader);
                for (int i = 0; i < docs.size(); i++) {
                    Set<String> sig = signatures.get(i);
                    if (sig.isEmpty()) {
                        continue;
                    }
                    BooleanQuery.Builder q = new BooleanQuery.Builder();
                    for (String t : sig) {
                        q.add(new ConstantScoreQuery(new TermQuery(new Term("sig", t))), BooleanClause.Occur.SHOULD);
                    }
                    q.setMinimumNumberShouldMatch(Math.max(1, sig.size() / 4));
                    TopDocs hits = searcher.search(q.build(), docs.size());
                    for (ScoreDoc hit : hits.scoreDocs) {
                        int j = searcher.storedFields().document(hit.doc).getField("i").numericValue().intValue();
                        if (j <= i || exact.contains(pairKey(i, j))) {
                            continue;
                        }
                        double jac = jaccard(shingleSets.get(i), shingleSets.get(j));
                        if (jac >= NEAR_JACCARD) {
                            out.add(new Pair("near", docs.get(i), docs.get(j), jac));
                        }
                    }
                }
            }
        }
        return out;
    }
}
