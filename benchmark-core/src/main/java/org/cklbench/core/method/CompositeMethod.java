package org.cklbench.core.method;

import org.cklbench.core.state.Batch;
import org.cklbench.core.state.TrainingState;

import ai.djl.ndarray.NDArray;
import org.cklbench.core.method.CklMethod;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Several methods as one ({@code taalm+kadapter}): hooks run in order, mixed batches chain, token
 * weights multiply, extra losses add up.
 */
public final class CompositeMethod implements CklMethod {
    private final List<CklMethod> parts;

    public CompositeMethod(List<CklMethod> parts) {
        this.parts = List.copyOf(parts);
    }

    @Override
    public boolean trains() {
        return parts.stream().allMatch(CklMethod::trains);
    }

    @Override
    public void setup(TrainingState s) {
        parts.forEach(p -> p.setup(s));
    }

    @Override
    public void onStart(TrainingState s) {
        parts.forEach(p -> p.onStart(s));
    }

    @Override
    public void beforeStage(TrainingState s, int stage) {
        parts.forEach(p -> p.beforeStage(s, stage));
    }

    @Override
    public void afterStage(TrainingState s, int stage) {
        parts.forEach(p -> p.afterStage(s, stage));
    }

    @Override
    public int trainingRowsPerStep(TrainingState s, int batchSize) {
        int rows = batchSize;
        for (CklMethod p : parts) {
            rows = p.trainingRowsPerStep(s, rows);
        }
        return rows;
    }

    @Override
    public List<Batch> mixBatches(TrainingState s, Batch batch) {
        List<Batch> out = List.of(batch);
        for (CklMethod p : parts) {
            List<Batch> next = new ArrayList<>();
            for (Batch b : out) {
                next.addAll(p.mixBatches(s, b));
            }
            out = next;
        }
        return out;
    }

    @Override
    public NDArray tokenWeights(TrainingState s, Batch batch, NDArray nll) {
        NDArray w = null;
        for (CklMethod p : parts) {
            NDArray wi = p.tokenWeights(s, batch, nll);
            if (wi != null) {
                w = w == null ? wi : w.mul(wi);
            }
        }
        return w;
    }

    @Override
    public NDArray extraLoss(TrainingState s, Batch batch) {
        NDArray sum = null;
        for (CklMethod p : parts) {
            NDArray l = p.extraLoss(s, batch);
            if (l != null) {
                sum = sum == null ? l : sum.add(l);
            }
        }
        return sum;
    }

    @Override
    public void afterBackward(TrainingState s) {
        parts.forEach(p -> p.afterBackward(s));
    }

    @Override
    public void beforeUpdate(TrainingState s) {
        parts.forEach(p -> p.beforeUpdate(s));
    }

    @Override
    public void afterUpdate(TrainingState s) {
        parts.forEach(p -> p.afterUpdate(s));
    }

    @Override
    public Map<String, Object> describe(TrainingState s) {
        Map<String, Object> out = new LinkedHashMap<>();
        parts.forEach(p -> out.putAll(p.describe(s)));
        return out;
    }

    /** Each part's state under the part's index: {@code 0.anchor.x}, {@code 1.y}. */
    @Override
    public Map<String, NDArray> state() {
        Map<String, NDArray> out = new LinkedHashMap<>();
        for (int i = 0; i < parts.size(); i++) {
            int k = i;
            parts.get(i).state().forEach((n, a) -> out.put(k + "." + n, a));
        }
        return out;
    }

    @Override
    public void restore(Map<String, NDArray> saved) {
        for (int i = 0; i < parts.size(); i++) {
            String prefix = i + ".";
            Map<String, NDArray> mine = new LinkedHashMap<>();
            saved.forEach((n, a) -> {
                if (n.startsWith(prefix)) {
                    mine.put(n.substring(prefix.length()), a);
                }
            });
            parts.get(i).restore(mine);
        }
    }

    @Override
    public void close() {
        for (int i = parts.size() - 1; i >= 0; i--) {
            parts.get(i).close();
        }
    }
}
