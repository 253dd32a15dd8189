package org.cklbench.methods;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.cklbench.engine.djl.Scopes;
import org.cklbench.core.method.CklMethod;
import org.cklbench.core.method.ParamSpec;
import org.cklbench.core.method.MethodParams;
import org.cklbench.core.method.MethodProvider;
import org.cklbench.engine.model.HfModels;
import org.cklbench.engine.model.ForwardContext;
import org.cklbench.engine.model.ForwardHooks;
import org.cklbench.engine.model.LlamaConfig;
import org.cklbench.engine.model.LlamaModel;
import org.cklbench.core.state.TrainingState;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeSet;

/**
 * K-Adapter (Wang et al., 2021): the base model is frozen and knowledge goes into adapter layers
 * beside it. Adapter layer k reads the hidden states of base layer l_k together with the output of
 * adapter layer k−1 (their concatenation, projected down: {@code down_h·h + down_z·z}), runs them
 * through its own small transformer layers, and projects back up; the last adapter's output joins the
 * base's final hidden states before the final norm and LM head. Up-projections start at zero, so the
 * adapted model starts equal to the base. Only adapter tensors are trained.
 */
public final class KAdapter implements MethodProvider {
    @Override
    public String id() {
        return "kadapter";
    }

    @Override
    public String description() {
        return "K-Adapter: base frozen; trainable adapter layers (small transformers) beside chosen base layers";
    }

    @Override
    public List<ParamSpec> parameters() {
        return List.of(
                ParamSpec.string("layers", "auto", "auto|\\d{1,4}(,\\d{1,4})*",
                        "base layers the adapters read, comma separated ('auto': first, middle, last)"),
                ParamSpec.integer("heads", 2, 1, 1024, "attention heads of each adapter layer (its width is heads x the base head dimension)"),
                ParamSpec.integer("depth", 2, 1, 64, "transformer layers inside each adapter layer (K-Adapter uses 2)"),
                ParamSpec.real("init_std", 0.02, 0, 1, "standard deviation of the adapter weights (up-projections start at zero)")
                        .openBelow());
    }

    @Override
    public CklMethod create(MethodParams params) {
        return new Method(params.getString("layers"), params.getInt("heads"), params.getInt("depth"), params.getDouble("init_std"));
    }

    static List<Integer> positions(String spec, int layers) {
        TreeSet<Integer> out = new TreeSet<>();
        if (spec.equals("auto")) {
            out.add(0);
            out.add(layers / 2);
            out.add(layers - 1);
        } else {
            for (String s : spec.split(",")) {
                int l = Integer.parseInt(s.trim());
                if (l < 0 || l >= layers) {
                    throw new IllegalArgumentException("kadapter.layers: " + l + " is not a layer of a " + layers + "-layer model");
                }
                out.add(l);
            }
        }
        return List.copyOf(out);
    }

    static final class Method implements CklMethod, ForwardHooks {
        private final String layerSpec;
        private final int heads;
        private final int depth;
        private final double initStd;
        private final Map<String, NDArray> weights = new LinkedHashMap<>();
        private List<Integer> positions;
        private int lastLayer;
        private NDManager manager;

        Method(String layerSpec, int heads, int depth, double initStd) {
            if (heads <= 0 || depth <= 0) {
                throw new IllegalArgumentException("kadapter.heads and kadapter.depth must be positive");
            }
            this.layerSpec = layerSpec;
            this.heads = heads;
            this.depth = depth;
            this.initStd = initStd;
        }

        /** Parameter names: {@code kadapter.<k>.down_h.weight}, {@code .down_z}, {@code .up}, {@code .layers.<j>.<llama names>}. */
        @Override
        public void setup(TrainingState state) {
            LlamaConfig base = state.model().config();
            positions = positions(layerSpec, base.numHiddenLayers());
            lastLayer = base.numHiddenLayers() - 1;
            int width = heads * base.headDim();
            int inter = (int) Math.round(width * (double) base.intermediateSize() / base.hiddenSize());
            manager = state.manager().newSubManager();
            SplittableRandom rng = state.random("kadapter", 0);
            LlamaConfig shape = LlamaConfig.create(2, width, inter, depth, heads, heads, true, 2);
            for (int k = 0; k < positions.size(); k++) {
                String p = "kadapter." + k + ".";
                add(p + "down_h.weight", new long[] {width, base.hiddenSize()}, rng, initStd);
                if (k > 0) {
                    add(p + "down_z.weight", new long[] {width, base.hiddenSize()}, rng, initStd);
                }
                add(p + "up.weight", new long[] {base.hiddenSize(), width}, rng, 0);
                for (Map.Entry<String, long[]> e : shape.weightShapes().entrySet()) {
                    String name = e.getKey();
                    if (name.startsWith("model.layers.")) {
                        add(p + name.substring("model.".length()), e.getValue(), rng,
                                name.endsWith("norm.weight") ? -1 : initStd);
                    }
                }
            }
            weights.forEach(state::registerTrainable);
            state.addHooks(this);
        }

        /** std > 0: normal; 0: zeros; -1: ones. */
        private void add(String name, long[] shape, SplittableRandom rng, double std) {
            int n = (int) (shape.length == 1 ? shape[0] : shape[0] * shape[1]);
            float[] data = new float[n];
            for (int i = 0; i < n; i++) {
                data[i] = std < 0 ? 1f : (float) (std == 0 ? 0 : HfModels.gaussian(rng) * std);
            }
            try (NDManager tmp = NDManager.newBaseManager(ai.djl.Device.cpu())) {
                NDArray a = tmp.create(data, new Shape(shape));
                a.setName(name);
                weights.put(name, Scopes.copy(a, DataType.FLOAT32, manager));
            }
        }

        @Override
        public NDArray afterLayer(int layer, NDArray hidden, ForwardContext ctx) {
            int k = positions.indexOf(layer);
            NDManager scope = hidden.getManager();
            DataType type = hidden.getDataType();
            LlamaModel model = ctx.model();
            if (k >= 0) {
                String p = "kadapter." + k + ".";
                NDArray x = LlamaModel.linear(hidden, Scopes.cast(weights.get(p + "down_h.weight"), type, scope));
                NDArray z = (NDArray) ctx.scratch().get("kadapter.z");
                if (k > 0) {
                    x = x.add(LlamaModel.linear(z, Scopes.cast(weights.get(p + "down_z.weight"), type, scope)));
                }
                for (int j = 0; j < depth; j++) {
                    x = model.decoderLayer(x, p + "layers." + j + ".", n -> Scopes.cast(weights.get(n), type, scope),
                            heads, heads, ForwardHooks.NONE, ctx);
                }
                ctx.scratch().put("kadapter.z", LlamaModel.linear(x, Scopes.cast(weights.get(p + "up.weight"), type, scope)));
            }
            if (layer == lastLayer) {
                return hidden.add((NDArray) ctx.scratch().get("kadapter.z"));
            }
            return hidden;
        }

        @Override
        public void close() {
            if (manager != null) {
                manager.close();
            }
        }
    }
}
