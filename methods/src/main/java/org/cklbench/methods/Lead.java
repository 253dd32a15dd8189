package org.cklbench.methods;

import org.cklbench.core.method.CklMethod;
import org.cklbench.core.method.MethodParams;
import org.cklbench.core.method.MethodProvider;
import org.cklbench.core.method.ParamSpec;
import org.cklbench.core.state.TrainingDocument;
import org.cklbench.engine.tokenizer.TextTokenizer;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A position-only control: weight 1 on the targets that are tokens of the document's first sentence, 0
 * elsewhere, through the same weighted loss as TAALM and Oracle. It reads no content, so whatever it
 * scores a benchmark pays for position alone: a Train-Attention model that scores no better has learnt
 * where facts sit, not what they are.
 *
 * <p>The first sentence is found in the document's text, not its token ids, so the rule holds for any
 * tokenizer: it ends at the first '.', '!' or '?' followed by whitespace or the end of the text (the world's
 * text writes " ." after every sentence; in natural text, an abbreviation such as "St. " ends it early,
 * which a control may afford). Its tokens are the encoding of that prefix, counted from the document's
 * first token after BOS: a sentence end followed by whitespace is a token boundary for word-level,
 * byte-level BPE and SentencePiece tokenizers alike (the next word carries its own space marker). A text
 * without a sentence end is one sentence.
 */
public final class Lead implements MethodProvider {
    private static final Pattern SENTENCE_END = Pattern.compile("[.!?](?=\\s|$)");

    @Override
    public String id() {
        return "lead";
    }

    @Override
    public String description() {
        return "Lead (control): weight 1 on each document's first sentence, 0 elsewhere; position only, no content";
    }

    @Override
    public List<ParamSpec> parameters() {
        return List.of();
    }

    @Override
    public CklMethod create(MethodParams params) {
        return ((DocumentWeights) Lead::weights).method();
    }

    /** The text of the document's first sentence, its end mark included. */
    static String firstSentence(String text) {
        Matcher m = SENTENCE_END.matcher(text);
        return m.find() ? text.substring(0, m.end()) : text;
    }

    /** Target weights of one document padded to {@code targets}: 1 where the target is a first-sentence token. */
    static float[] weights(TrainingDocument d, TextTokenizer tok, int targets) {
        float[] w = new float[targets];
        int first = tok.addsBos() ? 1 : 0;
        int tokens = tok.encodePlain(firstSentence(d.text())).length;
        // target t predicts token t+1; the sentence is tokens first .. first+tokens-1 of the document
        int end = Math.min(first + tokens, d.ids().length);
        for (int i = Math.max(first, 1); i < end; i++) {
            if (i - 1 < targets) {
                w[i - 1] = 1f;
            }
        }
        return w;
    }
}
