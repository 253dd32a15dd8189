package org.cklbench.cli;

import org.cklbench.core.benchmark.MetaExample;
import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.cklbench.core.method.MethodParams;
import org.cklbench.engine.model.HfModels;
import org.cklbench.engine.model.LlamaModel;
import org.cklbench.engine.tokenizer.TextTokenizer;
import org.cklbench.lamackl.LamaCklBenchmark;
import org.cklbench.lamackl.LamaCklRow;
import org.cklbench.lamackl.WorldLamaCkl;
import org.cklbench.methods.taalm.TaTrainer;
import org.cklbench.methods.taalm.Taalm;
import org.cklbench.methods.taalm.TrainAttentionModel;
import org.cklbench.progress.Progress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A Train-Attention model that has learnt what a fact is, not where facts sit. φ is meta-trained on the quick
 * world's Train-Attention split exactly as the quick preset trains it (its {@code taalm} defaults), then read
 * on the held-out To-Learn documents with their sentences shuffled so that the fact's sentence is never
 * first. Each token falls in one class: the object's tokens, the rest of the fact's sentence, the last word
 * of the first sentence (a filler sentence now; the token before its end mark), the rest of the first
 * sentence, or the other filler sentences. A φ that reads content weighs the object far above every other
 * class; one that learnt a rule of position (the fact opens its document, its object closes the first
 * sentence) weighs the first sentence's last word instead.
 *
 * <p>Minutes: it makes the quick world and its base if the test home lacks them (about 2 minutes on 2
 * cores) and meta-trains φ (about 2). {@code -Dckl.test.home=DIR} reads the world from another CKL_HOME;
 * {@code -Dckl.test.ta=DIR} reads a trained φ (the quickstart's, under CKL_HOME/prepared) instead of
 * training one.
 */
class TrainAttentionReadsContentTest {
    /** How far above every other class's mean weight the object's mean weight must be. */
    static final double RATIO = 5.0;

    /** LAST_WORD_OF_FIRST: the token before the first sentence's end mark, where the object sat when facts opened their documents. */
    enum TokenClass { OBJECT, FACT_REST, FIRST_SENTENCE, LAST_WORD_OF_FIRST, FILLER }

    private static final Pattern SENTENCE_END = Pattern.compile("[.!?](?=\\s|$)");

    @TempDir
    Path tmp;

    @Test
    void phiWeighsTheObjectAboveEveryOtherTokenClassOnShuffledHeldOutDocuments() throws Exception {
        Path home = Path.of(System.getProperty("ckl.test.home", Cli.HOME.toString()));
        WorldLamaCkl.Inputs world = WorldLamaCkl.ensure(home, "quick", Progress.NONE);
        LamaCklBenchmark bench = new LamaCklBenchmark();
        Taalm taalm = new Taalm();
        Map<String, String> defaults = bench.presets().get("quick").methodDefaults().get("taalm");
        TaTrainer.Settings s = Taalm.settings(MethodParams.resolve("taalm", taalm.parameters(), defaults, Map.of()));
        List<LamaCklRow> heldOut = LamaCklRow.read(world.lamaCkl().resolve("variant.jsonl"));
        try (LlamaModel base = HfModels.load(world.base(), Device.cpu(), DataType.FLOAT32);
             TextTokenizer tok = TextTokenizer.load(world.base())) {
            String given = System.getProperty("ckl.test.ta");
            Path phiDir;
            if (given != null) {
                phiDir = Path.of(given);
            } else {
                List<MetaExample> examples = bench.readMetaTraining(world.lamaCkl().resolve("train_attention.jsonl"))
                        ;
                phiDir = TaTrainer.train(base, world.base(), base, tok, examples, s, tmp.resolve("phi"), Progress.NONE);
            }
            try (TrainAttentionModel phi = TrainAttentionModel.load(phiDir, base)) {
                Map<TokenClass, double[]> sums = measure(phi, tok, heldOut, s.maxTokens(), new Random(7));
                StringBuilder report = new StringBuilder("phi's mean weight by token class on " + heldOut.size()
                        + " shuffled held-out documents:");
                sums.forEach((c, v) -> report.append(String.format(java.util.Locale.ROOT, " %s %.4f (%d tokens)",
                        c, v[0] / v[1], (long) v[1])));
                double object = mean(sums.get(TokenClass.OBJECT));
                double highestOther = 0;
                for (TokenClass c : TokenClass.values()) {
                    if (c != TokenClass.OBJECT) {
                        highestOther = Math.max(highestOther, mean(sums.get(c)));
                    }
                }
                report.append(String.format(java.util.Locale.ROOT, "; object / highest other class = %.2f", object / highestOther));
                System.out.println(report);
                for (TokenClass c : TokenClass.values()) {
                    assertThat(sums.get(c)[1]).as("tokens of class %s", c).isPositive();
                }
                assertThat(object).as(report.toString()).isGreaterThan(RATIO * highestOther);
            }
        }
    }

    private static double mean(double[] sumAndCount) {
        return sumAndCount[0] / sumAndCount[1];
    }

    /** Per class, {sum of φ's weights, number of tokens} over the documents, each shuffled once. */
    static Map<TokenClass, double[]> measure(TrainAttentionModel phi, TextTokenizer tok, List<LamaCklRow> rows,
                                             int maxTokens, Random rng) {
        Map<TokenClass, double[]> sums = new EnumMap<>(TokenClass.class);
        for (TokenClass c : TokenClass.values()) {
            sums.put(c, new double[2]);
        }
        for (LamaCklRow r : rows) {
            Shuffled d = shuffle(r, tok, rng);
            int n = Math.min(d.ids().length, maxTokens);
            try (NDManager m = phi.base().manager().newSubManager()) {
                long[] ids = Arrays.copyOf(d.ids(), n);
                long[] mask = new long[n];
                Arrays.fill(mask, 1);
                float[] w = phi.weights(m.create(ids, new Shape(1, n)), m.create(mask, new Shape(1, n))).toFloatArray();
                // the weight of target t is the weight of token t + 1; BOS has none
                for (int i = 1; i < n; i++) {
                    double[] acc = sums.get(d.classes()[i]);
                    acc[0] += w[i - 1];
                    acc[1] += 1;
                }
            }
        }
        return sums;
    }

    /** A document's tokens after shuffling its sentences, and each token's class (index 0: BOS, no class). */
    record Shuffled(long[] ids, TokenClass[] classes) {
    }

    /**
     * The evidence's sentences in a random order with the fact's sentence (the one that holds [MASK] in the
     * masked evidence) anywhere but first. Sentences end as {@code Lead} ends them.
     */
    static Shuffled shuffle(LamaCklRow r, TextTokenizer tok, Random rng) {
        List<String> sentences = sentences(r.evidence());
        List<String> masked = sentences(r.maskedEvidence());
        assertThat(masked).as("sentences of %s's evidence and masked evidence", r.uuid()).hasSameSizeAs(sentences);
        int fact = -1;
        for (int i = 0; i < masked.size(); i++) {
            if (masked.get(i).contains("[MASK]")) {
                fact = i;
            }
        }
        assertThat(fact).as("the sentence of %s that states its fact", r.uuid()).isNotNegative();
        assertThat(sentences).as("%s has a filler sentence to put first", r.uuid()).hasSizeGreaterThan(1);
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < sentences.size(); i++) {
            order.add(i);
        }
        Collections.shuffle(order, rng);
        if (order.get(0) == fact) {
            Collections.swap(order, 0, 1 + rng.nextInt(order.size() - 1));
        }
        List<Long> ids = new ArrayList<>();
        List<TokenClass> classes = new ArrayList<>();
        if (tok.addsBos()) {
            ids.add(tok.bosId());
            classes.add(null);
        }
        long[] object = tok.encodePlain(r.object());
        StringBuilder text = new StringBuilder();
        for (int k = 0; k < order.size(); k++) {
            String sentence = sentences.get(order.get(k));
            text.append(k == 0 ? "" : " ").append(sentence);
            long[] t = tok.encodePlain(sentence);
            TokenClass[] c = new TokenClass[t.length];
            Arrays.fill(c, order.get(k) == fact ? TokenClass.FACT_REST : k == 0 ? TokenClass.FIRST_SENTENCE : TokenClass.FILLER);
            if (k == 0 && t.length >= 2) {
                c[t.length - 2] = TokenClass.LAST_WORD_OF_FIRST;
            }
            if (order.get(k) == fact) {
                int start = lastIndexOf(t, object);
                assertThat(start).as("the object of %s in its fact's sentence", r.uuid()).isNotNegative();
                Arrays.fill(c, start, start + object.length, TokenClass.OBJECT);
            }
            for (int i = 0; i < t.length; i++) {
                ids.add(t[i]);
                classes.add(c[i]);
            }
        }
        long[] out = ids.stream().mapToLong(Long::longValue).toArray();
        // the sentences tokenised one by one are the document's tokens: the classes are where they say
        assertThat(out).as("tokens of %s's shuffled text", r.uuid()).containsExactly(tok.encode(text.toString()));
        return new Shuffled(out, classes.toArray(new TokenClass[0]));
    }

    static List<String> sentences(String text) {
        List<String> out = new ArrayList<>();
        Matcher m = SENTENCE_END.matcher(text);
        int from = 0;
        while (m.find()) {
            out.add(text.substring(from, m.end()).strip());
            from = m.end();
        }
        if (!text.substring(from).isBlank()) {
            out.add(text.substring(from).strip());
        }
        return out;
    }

    private static int lastIndexOf(long[] ids, long[] span) {
        for (int start = ids.length - span.length; start >= 0; start--) {
            if (Arrays.equals(ids, start, start + span.length, span, 0, span.length)) {
                return start;
            }
        }
        return -1;
    }
}
