package org.cklbench.methods.taalm;

import org.cklbench.engine.djl.Scalars;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.cklbench.engine.djl.Autograd;
import org.cklbench.engine.djl.Scopes;
import org.cklbench.engine.lora.LoraAdapter;
import org.cklbench.engine.loss.Losses;
import org.cklbench.engine.model.LlamaModel;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The meta-gradient of TAALM (docs/protocols.md, "Train-Attention"): how the task loss after one inner update of θ on a document
 * changes with the Train-Attention parameters φ.
 *
 * <p>θ' = θ − step(g), g = ∇θ L_w(θ; D), w = φ(D). The chain rule gives ∂L_T(θ')/∂w = −∂/∂w (u·g) with
 * u = J⊙∇L_T(θ'), J the elementwise derivative of the optimiser's step with respect to g (the
 * learning rate for SGD). Since L_w is linear in the per-token NLLs, u·g = mean_rows Σ_i c_i(w)·d_i with
 * c_i = w_i·m_i/(Σ w·m + 1e-6) and d_i = u·∇θ nll_i, a directional derivative that does not depend on w.
 * So the meta-gradient is the exact first-order gradient, with respect to φ, of the surrogate
 * −mean_rows Σ_i c_i(w)·d_i, once the d_i are known.
 *
 * <p>The d_i come from a central difference along u, (nll(θ+εu) − nll(θ−εu))/2ε: two forward passes,
 * a finite-difference Hessian-vector product. Exact second-order autograd would need the inner
 * gradient kept with its graph in θ's {@code .grad}; DJL 0.36 can neither call {@code autograd.grad}
 * nor reset {@code .grad} to None, so that graph would stay referenced from θ (the parameter-gradient
 * cycle PyTorch warns about) and leak every meta-step. The difference costs two forward passes and
 * meets the fixture's tolerance with room to spare ({@code MetaGradientFixtureTest}).
 */
public final class MetaGradient {

    /**
     * The inner optimiser that takes θ to θ'. ADAMW is textbook AdamW (PyTorch's); REFERENCE is the
     * variant of the authors' {@code utils/tool_TAALM/taalm_adamw.py} ({@code _single_tensor_adamw_oop}),
     * whose denominator is (√(v + 1e-8) + 1e-8)/√bc2 + ε instead of √(v/bc2) + ε: a floor of about
     * 1e-4/√bc2 (≈ 2.2e-3 at the second step), under which small gradients get SGD-like steps. Its state
     * keeps v without the 1e-8, as the reference stores it before adding.
     */
    public enum Inner {
        SGD, ADAMW, REFERENCE
    }

    /** The 1e-8 the reference's AdamW adds to v, and again to √v, before dividing by √bc2. */
    static final double REFERENCE_FLOOR = 1e-8;

    /**
     * @param radius the length ‖εu‖ of the finite-difference step in θ-space
     */
    public record Settings(Inner optimizer, double lr, int dummySteps, double weightDecay, double beta1,
                           double beta2, double eps, double radius) {
        public static Settings sgd(double lr) {
            return new Settings(Inner.SGD, lr, 0, 0, 0.9, 0.999, 1e-8, 1e-2);
        }

        public static Settings adamw(double lr, int dummySteps) {
            return new Settings(Inner.ADAMW, lr, dummySteps, 0.01, 0.9, 0.999, 1e-8, 1e-2);
        }

        /** The reference's AdamW variant ({@link Inner#REFERENCE}) with its defaults (ε 1e-8, weight decay 0.01). */
        public static Settings reference(double lr, int dummySteps) {
            return new Settings(Inner.REFERENCE, lr, dummySteps, 0.01, 0.9, 0.999, 1e-8, 1e-2);
        }
    }

    /**
     * One meta-training example: a document D (ids and mask [B, L]) and its task T_D (ids and mask
     * [B, Lt]) with {@code objectTargets} [B, Lt-1] marking the object tokens among T_D's targets.
     */
    public record Example(NDArray docIds, NDArray docMask, NDArray taskIds, NDArray taskMask, NDArray objectTargets) {
    }

    /** Losses seen along the way (float values, for logs and validation). */
    public record Result(double innerLoss, double taskLossBefore, double taskLossAfter) {
    }

    private MetaGradient() {
    }

    /**
     * Adds {@code scale · ∂L_T(θ')/∂φ} to the gradients of φ's parameters, which must require
     * gradients. θ starts from a copy of {@code theta0}'s tensors, which are left untouched. All
     * temporaries live in the manager of {@code example.docIds()}.
     */
    public static Result accumulate(TrainAttentionModel ta, LoraAdapter theta0, Example ex, Settings s, double scale) {
        return accumulate(ta, ta.base(), theta0, ex, s, scale);
    }

    /**
     * As {@link #accumulate(TrainAttentionModel, LoraAdapter, Example, Settings, double)} for a learner θ on a
     * base model of its own ({@code thetaBase}, with φ's tokenizer), as the reference meta-trains a
     * TinyLlama φ for a Llama-2-7B θ.
     */
    public static Result accumulate(TrainAttentionModel ta, LlamaModel thetaBase, LoraAdapter theta0, Example ex,
                                    Settings s, double scale) {
        return accumulate(ta, thetaBase, theta0, ex, s, scale, true);
    }

    /**
     * As {@link #accumulate(TrainAttentionModel, LlamaModel, LoraAdapter, Example, Settings, double)}; without
     * {@code taskLossBefore} the result's task loss before the update is NaN, and the forward pass that
     * measures it, which no gradient needs, is not run (meta-training reads only the loss after).
     */
    public static Result accumulate(TrainAttentionModel ta, LlamaModel thetaBase, LoraAdapter theta0, Example ex,
                                    Settings s, double scale, boolean taskLossBefore) {
        NDManager scope = ex.docIds().getManager();
        NDArray docTargets = Losses.targetMask(ex.docMask());
        NDArray w = Autograd.record(() -> ta.weights(ex.docIds(), ex.docMask()));
        NDArray wFixed = w.stopGradient();
        wFixed.attach(scope);

        InnerRun run = innerRun(thetaBase, theta0, ex, s, wFixed, taskLossBefore);
        Map<String, NDArray> updated = leaves(run.state.step(run.theta, run.gradient));
        NDArray taskLoss = Autograd.backward(() -> taskLossArray(thetaBase, theta0.withParameters(updated), ex));
        Result result = new Result(run.innerLoss, run.taskLossBefore, taskLoss.getFloat());

        Map<String, NDArray> u = new LinkedHashMap<>();
        double norm2 = 0;
        for (Map.Entry<String, NDArray> e : updated.entrySet()) {
            NDArray ui = Scopes.gradient(e.getValue(), scope).mul(run.jacobian.get(e.getKey()));
            norm2 += ui.square().sum().getFloat();
            u.put(e.getKey(), ui);
        }
        double norm = Math.sqrt(norm2);
        if (norm == 0) {
            return result;
        }
        double eps = s.radius() / norm;
        NDArray plus = tokenNll(thetaBase, theta0.withParameters(shift(run.theta, u, eps)), ex.docIds(), ex.docMask());
        NDArray minus = tokenNll(thetaBase, theta0.withParameters(shift(run.theta, u, -eps)), ex.docIds(), ex.docMask());
        NDArray d = plus.sub(minus).div(2 * eps);

        Autograd.backward(() -> {
            NDArray wm = w.mul(docTargets);
            NDArray c = wm.div(Scalars.add(wm.sum(new int[] {1}, true), Losses.WEIGHT_EPS));
            return Scalars.mul(c.mul(d).sum(new int[] {1}).mean(), -scale);
        });
        return result;
    }

    /**
     * The losses of one example without any meta-gradient: what validation of φ measures (the task
     * loss after the inner update, with φ's weights).
     */
    public static Result evaluate(TrainAttentionModel ta, LoraAdapter theta0, Example ex, Settings s) {
        return evaluate(ta, ta.base(), theta0, ex, s);
    }

    /** As {@link #evaluate(TrainAttentionModel, LoraAdapter, Example, Settings)} for θ on its own base. */
    public static Result evaluate(TrainAttentionModel ta, LlamaModel thetaBase, LoraAdapter theta0, Example ex, Settings s) {
        NDArray w = ta.weights(ex.docIds(), ex.docMask());
        InnerRun run = innerRun(thetaBase, theta0, ex, s, w, true);
        Map<String, NDArray> updated = run.state.step(run.theta, run.gradient);
        return new Result(run.innerLoss, run.taskLossBefore, taskLoss(thetaBase, theta0.withParameters(updated), ex));
    }

    /** θ after the dummy steps, the gradient there, the step's derivative and the losses so far. */
    private record InnerRun(Map<String, NDArray> theta, Map<String, NDArray> gradient, Map<String, NDArray> jacobian,
                            InnerState state, double innerLoss, double taskLossBefore) {
    }

    private static InnerRun innerRun(LlamaModel thetaBase, LoraAdapter theta0, Example ex, Settings s, NDArray w,
                                     boolean taskLossBefore) {
        NDManager scope = ex.docIds().getManager();
        NDArray docTargets = Losses.targetMask(ex.docMask());
        Map<String, NDArray> theta = theta0.copyParameters(scope);
        InnerState state = new InnerState(s);
        double innerLoss = 0;
        Map<String, NDArray> g = null;
        for (int k = 0; k <= s.dummySteps(); k++) {
            Map<String, NDArray> leaves = leaves(theta);
            NDArray loss = Autograd.backward(() -> Losses.weightedLoss(
                    tokenNll(thetaBase, theta0.withParameters(leaves), ex.docIds(), ex.docMask()), w, docTargets));
            innerLoss = loss.getFloat();
            g = gradients(leaves, scope);
            if (k < s.dummySteps()) {
                theta = state.step(theta, g);
            }
        }
        double before = taskLossBefore ? taskLoss(thetaBase, theta0.withParameters(theta), ex) : Double.NaN;
        return new InnerRun(theta, g, state.jacobian(g), state, innerLoss, before);
    }

    private static NDArray tokenNll(LlamaModel thetaBase, LoraAdapter theta, NDArray ids, NDArray mask) {
        return Losses.tokenNll(thetaBase, ids, mask, theta);
    }

    private static NDArray taskLossArray(LlamaModel thetaBase, LoraAdapter theta, Example ex) {
        NDArray nll = tokenNll(thetaBase, theta, ex.taskIds(), ex.taskMask());
        return nll.mul(ex.objectTargets()).sum().div(ex.objectTargets().sum());
    }

    /** Mean NLL of the task's object tokens under {@code theta}, without recording a graph. */
    public static double taskLoss(LlamaModel thetaBase, LoraAdapter theta, Example ex) {
        return taskLossArray(thetaBase, theta, ex).getFloat();
    }

    private static Map<String, NDArray> leaves(Map<String, NDArray> tensors) {
        Map<String, NDArray> out = new LinkedHashMap<>();
        tensors.forEach((k, v) -> {
            NDArray leaf = v.duplicate();
            leaf.attach(v.getManager());
            leaf.setRequiresGradient(true);
            out.put(k, leaf);
        });
        return out;
    }

    private static Map<String, NDArray> gradients(Map<String, NDArray> leaves, NDManager scope) {
        Map<String, NDArray> out = new LinkedHashMap<>();
        leaves.forEach((k, v) -> out.put(k, Scopes.gradient(v, scope).duplicate()));
        return out;
    }

    private static Map<String, NDArray> shift(Map<String, NDArray> theta, Map<String, NDArray> u, double eps) {
        Map<String, NDArray> out = new LinkedHashMap<>();
        theta.forEach((k, v) -> out.put(k, v.add(u.get(k).mul(eps))));
        return out;
    }

    /** The inner optimiser's state, its (graph-free) step and the elementwise derivative of that step. */
    static final class InnerState {
        private final Settings s;
        private final Map<String, NDArray> m = new LinkedHashMap<>();
        private final Map<String, NDArray> v = new LinkedHashMap<>();
        private int t;

        InnerState(Settings s) {
            this.s = s;
        }

        /** θ − step(g), advancing the state. */
        Map<String, NDArray> step(Map<String, NDArray> theta, Map<String, NDArray> g) {
            Map<String, NDArray> out = new LinkedHashMap<>();
            if (s.optimizer() == Inner.SGD) {
                theta.forEach((k, p) -> out.put(k, p.sub(g.get(k).mul(s.lr()))));
                return out;
            }
            t++;
            double bc1 = 1 - StrictMath.pow(s.beta1(), t);
            double bc2 = 1 - StrictMath.pow(s.beta2(), t);
            theta.forEach((k, p) -> {
                NDArray gk = g.get(k);
                NDArray mk = m.containsKey(k) ? m.get(k).mul(s.beta1()).add(gk.mul(1 - s.beta1())) : gk.mul(1 - s.beta1());
                NDArray vk = v.containsKey(k)
                        ? v.get(k).mul(s.beta2()).add(gk.square().mul(1 - s.beta2())) : gk.square().mul(1 - s.beta2());
                m.put(k, mk);
                v.put(k, vk);
                NDArray denom = s.optimizer() == Inner.REFERENCE ? referenceDenominator(vk, bc2)
                        : vk.div(bc2).sqrt().add(s.eps());
                NDArray update = mk.div(bc1).div(denom).add(p.mul(s.weightDecay())).mul(s.lr());
                out.put(k, p.sub(update));
            });
            return out;
        }

        /** The reference's denominator (√(v + 1e-8) + 1e-8)/√bc2 + ε ({@code taalm_adamw.py}, lines 597-599). */
        private NDArray referenceDenominator(NDArray vk, double bc2) {
            return vk.add(REFERENCE_FLOOR).sqrt().add(REFERENCE_FLOOR).div(Math.sqrt(bc2)).add(s.eps());
        }

        /**
         * ∂step/∂g at the next step, elementwise; for REFERENCE, lr·[(1−β1)/bc1 / D − m̂·∂D/∂g / D²] with D its
         * denominator. SGD: lr. AdamW: with m' = β1m + (1−β1)g, v' = β2v + (1−β2)g²,
         * m̂ = m'/bc1, ŝ = √(v'/bc2): lr·[(1−β1)/bc1 / (ŝ+ε) − m̂·(1−β2)·g/(bc2·ŝ) / (ŝ+ε)²], with the second
         * term 0 where ŝ = 0.
         */
        Map<String, NDArray> jacobian(Map<String, NDArray> g) {
            Map<String, NDArray> out = new LinkedHashMap<>();
            if (s.optimizer() == Inner.SGD) {
                g.forEach((k, gk) -> out.put(k, gk.onesLike().mul(s.lr())));
                return out;
            }
            int next = t + 1;
            double bc1 = 1 - StrictMath.pow(s.beta1(), next);
            double bc2 = 1 - StrictMath.pow(s.beta2(), next);
            g.forEach((k, gk) -> {
                NDArray mk = m.containsKey(k) ? m.get(k).mul(s.beta1()).add(gk.mul(1 - s.beta1())) : gk.mul(1 - s.beta1());
                NDArray vk = v.containsKey(k)
                        ? v.get(k).mul(s.beta2()).add(gk.square().mul(1 - s.beta2())) : gk.square().mul(1 - s.beta2());
                if (s.optimizer() == Inner.REFERENCE) {
                    // D = (√(v'+δ) + δ)/√bc2 + ε, ∂D/∂g = (1−β2)·g / (√bc2·√(v'+δ)); √(v'+δ) ≥ 1e-4, so no 0/0
                    NDArray root = vk.add(REFERENCE_FLOOR).sqrt();
                    NDArray denom = referenceDenominator(vk, bc2);
                    NDArray first = denom.getNDArrayInternal().rdiv((1 - s.beta1()) / bc1);
                    NDArray dDenom = gk.mul((1 - s.beta2()) / Math.sqrt(bc2)).div(root);
                    NDArray second = mk.div(bc1).mul(dDenom).div(denom.square());
                    out.put(k, first.sub(second).mul(s.lr()));
                    return;
                }
                NDArray sHat = vk.div(bc2).sqrt();
                NDArray denom = sHat.add(s.eps());
                NDArray first = denom.getNDArrayInternal().rdiv((1 - s.beta1()) / bc1);
                // Where ŝ = 0 every gradient so far was 0, so m̂·g = 0 and the clamp only avoids 0/0.
                NDArray safeS = sHat.maximum(Float.MIN_NORMAL);
                NDArray second = mk.div(bc1).mul(gk).mul((1 - s.beta2()) / bc2).div(safeS).div(denom.square());
                out.put(k, first.sub(second).mul(s.lr()));
            });
            return out;
        }
    }
}
