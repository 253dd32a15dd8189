package org.cklbench.core.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.cklbench.engine.model.ForwardHooks;
import org.cklbench.engine.model.LlamaModel;
import org.cklbench.engine.tokenizer.TextTokenizer;
import org.cklbench.text.Printable;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.function.IntConsumer;

/**
 * Probe accuracy and object NLL as TAALM's evaluation computes them: the sentence is tokenised with BOS, the
 * object without; the object's tokens are located at their last occurrence; the prediction for
 * object token j is the argmax of the logits one position before it. Probes run in batches of
 * similar length with right padding; only the object positions' logits are read back.
 */
public final class ProbeEvaluator {
    private final LlamaModel model;
    private final TextTokenizer tokenizer;
    private final int batchSize;

    public ProbeEvaluator(LlamaModel model, TextTokenizer tokenizer, int batchSize) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("evaluation batch size " + batchSize + " must be 1 or more");
        }
        this.model = model;
        this.tokenizer = tokenizer;
        this.batchSize = batchSize;
    }

    /** A probe tokenised, with the index of its first object token. */
    public record Located(Probe probe, long[] ids, int objectStart, int objectLength) {
        long[] objectIds() {
            return Arrays.copyOfRange(ids, objectStart, objectStart + objectLength);
        }
    }

    public Located locate(Probe p) {
        return locate(p, tokenizer);
    }

    /** The object's last occurrence in the sentence's tokens, or an error naming the probe's uuid. */
    public static Located locate(Probe p, TextTokenizer tokenizer) {
        long[] ids = tokenizer.encode(p.sentence());
        long[] obj = tokenizer.encodePlain(p.object());
        if (obj.length == 0) {
            throw new ProbeNotLocatedException(p.uuid(), "probe " + Printable.of(p.uuid()) + ": object '"
                    + Printable.of(p.object()) + "' tokenises to nothing");
        }
        for (int start = ids.length - obj.length; start >= 1; start--) {
            if (Arrays.equals(ids, start, start + obj.length, obj, 0, obj.length)) {
                return new Located(p, ids, start, obj.length);
            }
        }
        throw new ProbeNotLocatedException(p.uuid(), "probe " + Printable.of(p.uuid()) + ": the tokens of object '"
                + Printable.of(p.object()) + "' " + Arrays.toString(obj) + " do not occur in the tokens of '"
                + Printable.of(p.sentence()) + "'");
    }

    /** Results in the order of {@code probes}; every probe is located before any model work. */
    public List<ProbeResult> evaluate(List<Probe> probes, ForwardHooks hooks, IntConsumer progress) {
        List<Located> located = new ArrayList<>();
        for (Probe p : probes) {
            located.add(locate(p));
        }
        return evaluateLocated(located, hooks, progress);
    }

    /** Results in the order of {@code located}: batches of similar length, as {@link #evaluate} runs them. */
    public List<ProbeResult> evaluateLocated(List<Located> located, ForwardHooks hooks, IntConsumer progress) {
        ProbeResult[] out = new ProbeResult[located.size()];
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < located.size(); i++) {
            order.add(i);
        }
        order.sort(Comparator.comparingInt(i -> located.get(i).ids().length));
        for (int start = 0; start < order.size(); start += batchSize) {
            List<Integer> batch = order.subList(start, Math.min(order.size(), start + batchSize));
            evaluateBatch(batch, located, hooks, out);
            progress.accept(batch.size());
        }
        return Arrays.asList(out);
    }

    private void evaluateBatch(List<Integer> batch, List<Located> located, ForwardHooks hooks, ProbeResult[] out) {
        int len = 0;
        int positions = 0;
        for (int i : batch) {
            len = Math.max(len, located.get(i).ids().length);
            positions += located.get(i).objectLength();
        }
        long[] ids = new long[batch.size() * len];
        long[] mask = new long[batch.size() * len];
        long[] rowsOfPredictions = new long[positions];
        long[] targets = new long[positions];
        int k = 0;
        for (int r = 0; r < batch.size(); r++) {
            Located l = located.get(batch.get(r));
            System.arraycopy(l.ids(), 0, ids, r * len, l.ids().length);
            Arrays.fill(mask, r * len, r * len + l.ids().length, 1);
            for (int j = 0; j < l.objectLength(); j++) {
                rowsOfPredictions[k] = (long) r * len + l.objectStart() + j - 1;
                targets[k++] = l.ids()[l.objectStart() + j];
            }
        }
        try (NDManager scope = model.manager().newSubManager()) {
            NDArray idArr = scope.create(ids, new Shape(batch.size(), len));
            NDArray maskArr = scope.create(mask, new Shape(batch.size(), len));
            NDArray hidden = model.hidden(idArr, maskArr, hooks).reshape(-1, model.config().hiddenSize());
            NDArray picked = hidden.get(new NDIndex("{}", scope.create(rowsOfPredictions)));
            NDArray logits = model.logits(picked).toType(DataType.FLOAT32, false);
            long[] argmax = logits.argMax(-1).toLongArray();
            NDArray logp = logits.logSoftmax(-1);
            float[] nll = logp.gather(scope.create(targets).reshape(-1, 1), -1).neg().toFloatArray();
            k = 0;
            for (int r = 0; r < batch.size(); r++) {
                Located l = located.get(batch.get(r));
                int n = l.objectLength();
                long[] pred = Arrays.copyOfRange(argmax, k, k + n);
                int correct = 0;
                double nllSum = 0;
                for (int j = 0; j < n; j++) {
                    if (pred[j] == targets[k + j]) {
                        correct++;
                    }
                    nllSum += nll[k + j];
                }
                out[batch.get(r)] = new ProbeResult(l.probe().uuid(), l.objectIds(), pred, (double) correct / n, nllSum / n);
                k += n;
            }
        }
    }

    public static double meanAccuracy(List<ProbeResult> results) {
        return results.stream().mapToDouble(ProbeResult::accuracy).average().orElse(Double.NaN);
    }

    public static double meanNll(List<ProbeResult> results) {
        return results.stream().mapToDouble(ProbeResult::objectNll).average().orElse(Double.NaN);
    }
}
