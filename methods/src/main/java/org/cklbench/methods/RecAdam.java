package org.cklbench.methods;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.cklbench.engine.djl.Scopes;
import org.cklbench.core.method.CklMethod;
import org.cklbench.core.method.ParamSpec;
import org.cklbench.core.method.MethodParams;
import org.cklbench.core.method.MethodProvider;
import org.cklbench.core.state.TrainingState;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * RecAdam (Chen et al., 2020): the objective is λ(t)·L_task + (1−λ(t))·(γ/2)·‖θ−θ*‖², with
 * λ(t) = sigmoid(k·(t − t0)) annealing from recalling the initial weights θ* to the task. As in the
 * authors' optimiser ("add" mode), the Adam step is scaled by λ(t) and the pull
 * −lr·(1−λ(t))·γ·(θ'−θ*) is applied to the weights after that step.
 */
public final class RecAdam implements MethodProvider {
    @Override
    public String id() {
        return "recadam";
    }

    @Override
    public String description() {
        return "RecAdam: Adam with an annealed quadratic pull toward the initial weights (sigmoid anneal)";
    }

    @Override
    public List<ParamSpec> parameters() {
        return List.of(
                ParamSpec.real("anneal_k", 0.5, 0, 1e6, "steepness k of the sigmoid anneal").openBelow(),
                ParamSpec.real("anneal_t0", 250, -1e9, 1e9, "step t0 at which the anneal is half way"),
                ParamSpec.real("pretrain_coef", 5000, 0, 1e12, "gamma, the strength of the pull toward the initial weights"));
    }

    @Override
    public CklMethod create(MethodParams params) {
        return new Method(params.getDouble("anneal_k"), params.getDouble("anneal_t0"), params.getDouble("pretrain_coef"));
    }

    /** λ(t) = 1 / (1 + exp(−k (t − t0))). */
    public static double lambda(double k, double t0, long step) {
        return 1.0 / (1.0 + Math.exp(-k * (step - t0)));
    }

    static final class Method implements CklMethod {
        private final double k;
        private final double t0;
        private final double gamma;
        private final Map<String, NDArray> initial = new LinkedHashMap<>();
        private final Map<String, NDArray> before = new LinkedHashMap<>();
        private NDManager manager;
        private NDManager stepScope;

        Method(double k, double t0, double gamma) {
            this.k = k;
            this.t0 = t0;
            this.gamma = gamma;
        }

        /** θ*: the trainable tensors before any update (and before a resumed run restores its checkpoint). */
        @Override
        public void onStart(TrainingState state) {
            manager = state.manager().newSubManager();
            state.trainable().forEach((n, p) -> initial.put(n, Scopes.copy(p, p.getDataType(), manager)));
        }

        @Override
        public void beforeUpdate(TrainingState state) {
            stepScope = manager.newSubManager();
            state.trainable().forEach((n, p) -> before.put(n, Scopes.copy(p, p.getDataType(), stepScope)));
        }

        /**
         * The optimiser has taken its step θ → θ + Δ. Replace it by θ' = θ + λΔ, then pull:
         * θ'' = θ' − lr·(1−λ)·γ·(θ' − θ*). The step counter of the anneal is the optimiser's (1-based).
         */
        @Override
        public void afterUpdate(TrainingState state) {
            double lam = lambda(k, t0, state.step());
            double pull = state.lr() * (1 - lam) * gamma;
            try (NDManager tmp = stepScope) {
                for (Map.Entry<String, NDArray> e : state.trainable().entrySet()) {
                    NDArray p = e.getValue();
                    NDArray old = before.get(e.getKey());
                    NDArray delta = p.sub(old);
                    delta.attach(tmp);
                    NDArray scaled = old.add(delta.mul(lam));
                    NDArray pulled = scaled.sub(scaled.sub(initial.get(e.getKey())).mul(pull));
                    p.set(new ai.djl.ndarray.index.NDIndex("..."), pulled);
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
