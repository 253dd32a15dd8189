package org.cklbench.methods;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import org.cklbench.core.method.CklMethod;
import org.cklbench.core.method.MethodParams;
import org.cklbench.core.method.MethodProvider;
import org.cklbench.core.method.ParamSpec;
import org.cklbench.core.state.TrainingState;
import org.cklbench.engine.djl.Scopes;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * RecAdam (Chen et al., 2020): the objective λ(t)·L_task + (1−λ(t))·(γ/2)·‖θ−θ*‖² anneals from recalling
 * the weights θ* the optimiser started from to the task. As the authors' optimiser computes it ("add"
 * mode), the Adam step is scaled by λ(t) and the pull −lr·(1−λ(t))·γ·(θ'−θ*) is applied after it.
 *
 * <p>{@code mode=paper} (the default) applies it to every trainable tensor with the anneal placed in
 * the run: λ(t) = σ(k·(t/T − t0)), t the optimiser step and T the steps of the optimiser's run (the
 * whole run, or a TemporalWiki period). {@code mode=reference} is what the TAALM authors' code ran:
 * λ(t) = σ(0.5·(t − 250)) in absolute steps, and only for tensors whose name holds "bias" or "norm";
 * every other tensor (all of a LoRA adapter) gets plain Adam. In both, θ* and t start again where the
 * optimiser does (each TemporalWiki period, as the reference's separate processes).
 */
public final class RecAdam implements MethodProvider {
    /** The reference's absolute anneal: steepness and midpoint in optimiser steps. */
    static final double REFERENCE_K = 0.5;
    static final double REFERENCE_T0 = 250;

    @Override
    public String id() {
        return "recadam";
    }

    @Override
    public String description() {
        return "RecAdam: Adam with an annealed quadratic pull toward the initial weights (mode=reference: the TAALM authors' grouping)";
    }

    @Override
    public List<ParamSpec> parameters() {
        return List.of(
                ParamSpec.choice("mode", "paper", List.of("paper", "reference"), "paper: every trainable tensor, the anneal"
                        + " placed in the run; reference: the authors' code (LoRA tensors in the plain-Adam group, anneal in"
                        + " absolute steps)"),
                ParamSpec.real("anneal_t0", 0.25, 0, 1, "paper: share of the optimiser's steps at which lambda is 0.5"),
                ParamSpec.real("anneal_k", 20, 0, 1e4, "paper: steepness, lambda = sigmoid(k (t/T - t0))").openBelow(),
                ParamSpec.real("pretrain_coef", 5000, 0, 1e12, "gamma, the strength of the pull toward the initial weights"));
    }

    @Override
    public CklMethod create(MethodParams params) {
        return new Method(params.getString("mode").equals("reference"), params.getDouble("anneal_k"),
                params.getDouble("anneal_t0"), params.getDouble("pretrain_coef"));
    }

    /** λ(t) = 1 / (1 + exp(−k (t − t0))). */
    public static double lambda(double k, double t0, double t) {
        return 1.0 / (1.0 + StrictMath.exp(-k * (t - t0)));
    }

    /** Whether the authors' grouping anneals a tensor (their "no_decay" group: names holding bias or norm). */
    static boolean referenceAnnealed(String name) {
        return name.contains("bias") || name.contains("norm");
    }

    static final class Method implements CklMethod {
        private final boolean reference;
        private final double k;
        private final double t0;
        private final double gamma;
        private final Map<String, NDArray> anchor = new LinkedHashMap<>();
        private final Map<String, NDArray> before = new LinkedHashMap<>();
        private NDManager manager;
        private NDManager anchorScope;
        private NDManager stepScope;
        private long anchoredAt = -1;
        private NDArray anchoredAtTensor;

        Method(boolean reference, double k, double t0, double gamma) {
            this.reference = reference;
            this.k = k;
            this.t0 = t0;
            this.gamma = gamma;
        }

        /** λ after {@code step} optimiser steps of a run of {@code steps}. */
        double lambda(long step, long steps) {
            return reference ? RecAdam.lambda(REFERENCE_K, REFERENCE_T0, step)
                    : RecAdam.lambda(k, t0, (double) step / Math.max(1, steps));
        }

        private boolean annealed(String name) {
            return !reference || referenceAnnealed(name);
        }

        @Override
        public void onStart(TrainingState state) {
            double pull = state.settings().lr() * gamma;
            if (pull >= 2) {
                throw new IllegalArgumentException(String.format(java.util.Locale.ROOT, "recadam: lr x pretrain_coef ="
                        + " %.3g makes the pull toward the initial weights overshoot (a deviation grows by |1 - %.3g| per"
                        + " step); give pretrain_coef below %.3g (the paper presets keep lr x pretrain_coef = 0.5)",
                        pull, pull, 2 / state.settings().lr()));
            }
            manager = state.manager().newSubManager();
        }

        /**
         * θ*: the trainable tensors where the optimiser starts (the run's start, or each period's); a run
         * resumed inside a segment has it back from its checkpoint ({@link #restore}).
         */
        @Override
        public void beforeStage(TrainingState state, int stage) {
            if (state.segmentStart() != anchoredAt) {
                Map<String, NDArray> now = new LinkedHashMap<>();
                state.trainable().forEach((n, p) -> {
                    if (annealed(n)) {
                        now.put(n, p);
                    }
                });
                anchor(now, state.segmentStart());
            }
        }

        private void anchor(Map<String, NDArray> tensors, long at) {
            if (anchorScope != null) {
                anchorScope.close();
            }
            anchor.clear();
            anchorScope = manager.newSubManager();
            tensors.forEach((n, p) -> anchor.put(n, Scopes.copy(p, ai.djl.ndarray.types.DataType.FLOAT32, anchorScope)));
            anchoredAt = at;
            anchoredAtTensor = anchorScope.create(new long[] {at});
        }

        @Override
        public Map<String, NDArray> state() {
            Map<String, NDArray> out = new LinkedHashMap<>();
            anchor.forEach((n, a) -> out.put("anchor." + n, a));
            if (anchoredAtTensor != null) {
                out.put("anchored_at", anchoredAtTensor);
            }
            return out;
        }

        @Override
        public void restore(Map<String, NDArray> saved) {
            Map<String, NDArray> tensors = new LinkedHashMap<>();
            saved.forEach((n, a) -> {
                if (n.startsWith("anchor.")) {
                    tensors.put(n.substring("anchor.".length()), a);
                }
            });
            NDArray at = saved.get("anchored_at");
            anchor(tensors, at == null ? -1 : at.toLongArray()[0]);
        }

        @Override
        public void beforeUpdate(TrainingState state) {
            stepScope = manager.newSubManager();
            state.trainable().forEach((n, p) -> {
                if (annealed(n)) {
                    before.put(n, Scopes.copy(p, p.getDataType(), stepScope));
                }
            });
        }

        /**
         * The optimiser has taken its step θ → θ + Δ. Replace it by θ' = θ + λΔ, then pull:
         * θ'' = θ' − lr·(1−λ)·γ·(θ' − θ*). t counts the optimiser's steps from 1.
         */
        @Override
        public void afterUpdate(TrainingState state) {
            double lam = lambda(state.segmentStep(), state.segmentSteps());
            double pull = state.lr() * (1 - lam) * gamma;
            try (NDManager tmp = stepScope) {
                for (Map.Entry<String, NDArray> e : before.entrySet()) {
                    NDArray p = state.trainable().get(e.getKey());
                    NDArray old = e.getValue();
                    NDArray delta = p.sub(old);
                    delta.attach(tmp);
                    NDArray scaled = old.add(delta.mul(lam));
                    NDArray pulled = scaled.sub(scaled.sub(anchor.get(e.getKey())).mul(pull));
                    p.set(new NDIndex("..."), pulled);
                }
            }
            before.clear();
        }

        @Override
        public void close() {
            if (manager != null) {
                manager.close();
            }
        }
    }
}
