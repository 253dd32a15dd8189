package org.cklbench.methods.taalm;

import org.cklbench.engine.djl.Scalars;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.cklbench.engine.djl.Autograd;
import org.cklbench.engine.djl.Scopes;
import ai.djl.ndarray.types.Shape;
import org.cklbench.engine.lora.LoraAdapter;
import org.cklbench.engine.lora.StackedLora;
import org.cklbench.engine.loss.Losses;
import org.cklbench.engine.model.ForwardHooks;
import org.cklbench.engine.model.LlamaModel;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The meta-gradient of TAALM (docs/protocols.md, "Train-Attention"): how the task loss after one inner update of θ on a document
 * changes with the Train-Attention parameters φ.
 *
 * <p>θ' = θ − step(g), g = ∇θ L_w(θ; D), w = φ(D). The chain rule gives ∂L_T(θ')/∂w = −∂/∂w (u·g) with
 * u = J⊙∇L_T(θ'), J the elementwise derivative of the optimiser's step with respect to g (the
 * learning rate for SGD). Since L_w is linear in the per-token NLLs, u·g = Σ_i c_i(w)·d_i with
 * c_i = w_i·m_i/(Σ w·m + 1e-6) and d_i = u·∇θ nll_i, a directional derivative that does not depend on w.
 * So the meta-gradient is the exact first-order gradient, with respect to φ, of the surrogate
 * −Σ_i c_i(w)·d_i, once the d_i are known. A batch of examples sums these surrogates: each example
 * has its own θ, u, ε and d.
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
     * A batch of meta-training examples, one per row: documents D (ids and mask [B, L]) and their tasks
     * T_D (ids and mask [B, Lt]), with {@code objectTargets} [B, Lt-1] marking the object tokens among
     * T_D's targets (0 on padding). Rows of different lengths are right-padded (mask 0): with causal
     * attention and positions from 0, padding never changes a real token's value.
     */
    public record Example(NDArray docIds, NDArray docMask, NDArray taskIds, NDArray taskMask, NDArray objectTargets) {
        public int size() {
            return (int) docIds.getShape().get(0);
        }
    }

    /** Losses of one example seen along the way (float values, for logs and validation). */
    public record Result(double innerLoss, double taskLossBefore, double taskLossAfter) {
    }

    private MetaGradient() {
    }

    /**
     * Adds {@code scale · Σ_b ∂L_T,b(θ'_b)/∂φ} to the gradients of φ's parameters, which must require
     * gradients: every example b of the batch has a θ_b of its own, a copy of {@code theta0}'s tensors
     * (left untouched) updated on its own document. Returns each example's losses, in row order. All
     * temporaries live in the manager of {@code ex.docIds()}.
     */
    public static List<Result> accumulate(TrainAttentionModel ta, LoraAdapter theta0, Example ex, Settings s,
                                          double scale) {
        return accumulate(ta, ta.base(), theta0, ex, s, scale);
    }

    /**
     * As {@link #accumulate(TrainAttentionModel, LoraAdapter, Example, Settings, double)} for a learner θ on a
     * base model of its own ({@code thetaBase}, with φ's tokenizer), as the reference meta-trains a
     * TinyLlama φ for a Llama-2-7B θ.
     */
    public static List<Result> accumulate(TrainAttentionModel ta, LlamaModel thetaBase, LoraAdapter theta0, Example ex,
                                          Settings s, double scale) {
        return accumulate(ta, thetaBase, theta0, ex, s, scale, true);
    }

    /**
     * As {@link #accumulate(TrainAttentionModel, LlamaModel, LoraAdapter, Example, Settings, double)}; without
     * {@code taskLossBefore} the results' task losses before the update are NaN, and the forward pass that
     * measures them, which no gradient needs, is not run (meta-training reads only the loss after).
     *
     * <p>The examples are batched, each with its own θ_b in a {@link StackedLora}. Every loss whose
     * gradient in θ is taken is a sum of per-example losses, so that the gradient in θ_b is example b's
     * alone; the optimiser's step and its Jacobian are elementwise, so they work on the stacked tensors
     * as they are; the finite-difference radius is per example.
     */
    public static List<Result> accumulate(TrainAttentionModel ta, LlamaModel thetaBase, LoraAdapter theta0, Example ex,
                                          Settings s, double scale, boolean taskLossBefore) {
        NDManager scope = ex.docIds().getManager();
        int n = ex.size();
        NDArray docTargets = Losses.targetMask(ex.docMask());
        NDArray w = Autograd.record(() -> ta.weights(ex.docIds(), ex.docMask()));
        NDArray wFixed = w.stopGradient();
        wFixed.attach(scope);

        InnerRun run = innerRun(thetaBase, theta0, ex, s, wFixed, taskLossBefore);
        Map<String, NDArray> updated = leaves(run.state.step(run.theta, run.gradient));
        NDArray[] taskLoss = new NDArray[1];
        Autograd.backward(() -> {
            taskLoss[0] = taskLosses(thetaBase, run.lora.withParameters(updated), ex);
            return taskLoss[0].sum();
        });
        List<Result> results = results(run, taskLoss[0].toFloatArray());

        Map<String, NDArray> u = new LinkedHashMap<>();
        double[] norm2 = new double[n];
        for (Map.Entry<String, NDArray> e : updated.entrySet()) {
            NDArray ui = Scopes.gradient(e.getValue(), scope).mul(run.jacobian.get(e.getKey()));
            float[] sq = ui.square().sum(new int[] {1, 2}).toFloatArray();
            for (int b = 0; b < n; b++) {
                norm2[b] += sq[b];
            }
            u.put(e.getKey(), ui);
        }
        // eps_b = radius/‖u_b‖; an example whose u_b is 0 contributes nothing (its d is masked to 0)
        float[] eps = new float[n];
        float[] twoEps = new float[n];
        float[] alive = new float[n];
        boolean any = false;
        for (int b = 0; b < n; b++) {
            double norm = Math.sqrt(norm2[b]);
            double e = norm == 0 ? s.radius() : s.radius() / norm;
            eps[b] = (float) e;
            twoEps[b] = (float) (2 * e);
            alive[b] = norm == 0 ? 0f : 1f;
            any |= norm != 0;
        }
        if (!any) {
            return results;
        }
        NDArray epsParams = scope.create(eps, new Shape(n, 1, 1));
        NDArray plus = tokenNll(thetaBase, run.lora.withParameters(shift(run.theta, u, epsParams)), ex.docIds(), ex.docMask());
        NDArray minus = tokenNll(thetaBase, run.lora.withParameters(shift(run.theta, u, epsParams.neg())), ex.docIds(),
                ex.docMask());
        NDArray d = plus.sub(minus).div(scope.create(twoEps, new Shape(n, 1))).mul(scope.create(alive, new Shape(n, 1)));

        Autograd.backward(() -> {
            NDArray wm = w.mul(docTargets);
            NDArray c = wm.div(Scalars.add(wm.sum(new int[] {1}, true), Losses.WEIGHT_EPS));
            return Scalars.mul(c.mul(d).sum(new int[] {1}).sum(), -scale);
        });
        return results;
    }

    /**
     * The losses of each example without any meta-gradient: what validation of φ measures (the task
     * loss after the inner update, with φ's weights).
     */
    public static List<Result> evaluate(TrainAttentionModel ta, LoraAdapter theta0, Example ex, Settings s) {
        return evaluate(ta, ta.base(), theta0, ex, s);
    }

    /** As {@link #evaluate(TrainAttentionModel, LoraAdapter, Example, Settings)} for θ on its own base. */
    public static List<Result> evaluate(TrainAttentionModel ta, LlamaModel thetaBase, LoraAdapter theta0, Example ex,
                                        Settings s) {
        NDArray w = ta.weights(ex.docIds(), ex.docMask());
        InnerRun run = innerRun(thetaBase, theta0, ex, s, w, true);
        Map<String, NDArray> updated = run.state.step(run.theta, run.gradient);
        return results(run, taskLosses(thetaBase, run.lora.withParameters(updated), ex).toFloatArray());
    }

    private static List<Result> results(InnerRun run, float[] after) {
        List<Result> out = new ArrayList<>(after.length);
        for (int b = 0; b < after.length; b++) {
            out.add(new Result(run.innerLoss[b], run.taskLossBefore == null ? Double.NaN : run.taskLossBefore[b], after[b]));
        }
        return out;
    }

    /**
     * The stacked θ after the dummy steps, the gradient there, the step's derivative and the losses so far
     * (per example; {@code taskLossBefore} null when not measured).
     */
    private record InnerRun(StackedLora lora, Map<String, NDArray> theta, Map<String, NDArray> gradient,
                            Map<String, NDArray> jacobian, InnerState state, float[] innerLoss, float[] taskLossBefore) {
    }

    private static InnerRun innerRun(LlamaModel thetaBase, LoraAdapter theta0, Example ex, Settings s, NDArray w,
                                     boolean taskLossBefore) {
        NDManager scope = ex.docIds().getManager();
        NDArray docTargets = Losses.targetMask(ex.docMask());
        Map<String, NDArray> theta = StackedLora.stack(theta0, ex.size(), scope);
        StackedLora lora = new StackedLora(theta0.config(), theta);
        InnerState state = new InnerState(s);
        float[] innerLoss = null;
        Map<String, NDArray> g = null;
        for (int k = 0; k <= s.dummySteps(); k++) {
            Map<String, NDArray> leaves = leaves(theta);
            NDArray[] perRow = new NDArray[1];
            Autograd.backward(() -> {
                perRow[0] = Losses.weightedLossPerRow(
                        tokenNll(thetaBase, lora.withParameters(leaves), ex.docIds(), ex.docMask()), w, docTargets);
                return perRow[0].sum();
            });
            innerLoss = perRow[0].toFloatArray();
            g = gradients(leaves, scope);
            if (k < s.dummySteps()) {
                theta = state.step(theta, g);
            }
        }
        float[] before = taskLossBefore ? taskLosses(thetaBase, lora.withParameters(theta), ex).toFloatArray() : null;
        return new InnerRun(lora, theta, g, state.jacobian(g), state, innerLoss, before);
    }

    private static NDArray tokenNll(LlamaModel thetaBase, ForwardHooks theta, NDArray ids, NDArray mask) {
        return Losses.tokenNll(thetaBase, ids, mask, theta);
    }

    /** Each example's mean NLL of its task's object tokens, [B]. */
    /** Mean NLL of each example's object tokens under {@code theta}, without recording a graph: what θ0 starts at. */
    static float[] taskLoss(LlamaModel thetaBase, ForwardHooks theta, Example ex) {
        return taskLosses(thetaBase, theta, ex).toFloatArray();
    }

    private static NDArray taskLosses(LlamaModel thetaBase, ForwardHooks theta, Example ex) {
        NDArray nll = tokenNll(thetaBase, theta, ex.taskIds(), ex.taskMask());
        NDArray objects = ex.objectTargets();
        return nll.mul(objects).sum(new int[] {1}).div(objects.sum(new int[] {1}));
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

    /** θ_b + eps_b·u_b for every example, {@code eps} [B, 1, 1]. */
    private static Map<String, NDArray> shift(Map<String, NDArray> theta, Map<String, NDArray> u, NDArray eps) {
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
