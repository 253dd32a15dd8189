package org.cklbench.engine.lora;

import org.cklbench.engine.djl.Scalars;
import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import org.cklbench.engine.djl.Scopes;
import org.cklbench.io.AtomicFiles;
import org.cklbench.engine.safetensors.SafetensorsFile;
import org.cklbench.engine.safetensors.SafetensorsFormatException;
import org.cklbench.engine.safetensors.SafetensorsWriter;
import org.cklbench.engine.model.HfModels;
import org.cklbench.engine.model.ForwardHooks;
import org.cklbench.engine.model.LlamaConfig;
import org.cklbench.engine.model.LlamaModel;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A LoRA adapter over a frozen Llama model: {@code y = W·x + s·B·A·dropout(x)} on every targeted
 * projection, with s = alpha/r. The A and B tensors are float32 master weights in the adapter's own
 * manager, named as PEFT names them ({@code base_model.model.<module>.lora_A.weight}).
 */
public final class LoraAdapter implements ForwardHooks, AutoCloseable {
    public static final String WEIGHTS_FILE = "adapter_model.safetensors";
    private static final String PREFIX = "base_model.model.";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final LoraConfig config;
    private final NDManager manager;
    private final Map<String, NDArray> tensors;
    private final boolean ownsManager;
    /** s = alpha/r is a power of two of at least 1: it can scale B instead of x·Aᵀ exactly. */
    private final boolean exactScaling;
    /** Shared with the views of {@link #withParameters}, which use the same manager. */
    private final Map<DataType, NDArray> scalings;
    private boolean training;

    private LoraAdapter(LoraConfig config, NDManager manager, Map<String, NDArray> tensors, boolean ownsManager) {
        this(config, manager, tensors, ownsManager, new java.util.EnumMap<>(DataType.class));
    }

    private LoraAdapter(LoraConfig config, NDManager manager, Map<String, NDArray> tensors, boolean ownsManager,
                        Map<DataType, NDArray> scalings) {
        this.config = config;
        this.scalings = scalings;
        this.manager = manager;
        this.tensors = tensors;
        this.ownsManager = ownsManager;
        double s = config.scaling();
        this.exactScaling = s >= 1 && s == Math.scalb(1.0, Math.getExponent(s));
    }

    /**
     * The same adapter computed with other A/B tensors (same names and shapes), e.g. perturbed or
     * updated copies. The view owns nothing: closing it frees nothing.
     */
    public LoraAdapter withParameters(Map<String, NDArray> replacement) {
        if (!replacement.keySet().equals(tensors.keySet())) {
            throw new IllegalArgumentException("replacement tensors must have the adapter's names");
        }
        LoraAdapter view = new LoraAdapter(config, manager, new LinkedHashMap<>(replacement), false, scalings);
        view.training = training;
        return view;
    }

    /** Copies of the tensors, owned by {@code scope}. */
    public Map<String, NDArray> copyParameters(NDManager scope) {
        Map<String, NDArray> out = new LinkedHashMap<>();
        tensors.forEach((k, v) -> {
            NDArray c = v.duplicate();
            c.attach(scope);
            out.put(k, c);
        });
        return out;
    }

    public LoraConfig config() {
        return config;
    }

    public NDManager manager() {
        return manager;
    }

    /** The trainable tensors by PEFT name, in a stable order. */
    public Map<String, NDArray> parameters() {
        return tensors;
    }

    /** Dropout applies only while training. */
    public void setTraining(boolean training) {
        this.training = training;
    }

    public static String nameA(String module) {
        return PREFIX + module + ".lora_A.weight";
    }

    public static String nameB(String module) {
        return PREFIX + module + ".lora_B.weight";
    }

    /** Shapes of A and B for every targeted module of {@code model}, by PEFT name. */
    static Map<String, long[]> expectedShapes(LoraConfig lora, LlamaConfig model) {
        Map<String, long[]> out = new LinkedHashMap<>();
        for (Map.Entry<String, long[]> w : model.weightShapes().entrySet()) {
            String name = w.getKey();
            if (!name.startsWith("model.layers.") || !name.endsWith("_proj.weight")) {
                continue;
            }
            String module = name.substring(0, name.length() - ".weight".length());
            if (lora.targets(module)) {
                long out_ = w.getValue()[0];
                long in = w.getValue()[1];
                out.put(nameA(module), new long[] {lora.r(), in});
                out.put(nameB(module), new long[] {out_, lora.r()});
            }
        }
        return out;
    }

    /**
     * A fresh adapter as PEFT initialises one: A from kaiming-uniform with a = √5 (bound 1/√fan_in),
     * B zero, so the adapted model starts equal to the base. Seeded and portable.
     */
    public static LoraAdapter init(LoraConfig config, LlamaModel model, long seed) {
        return init(config, model.config(), model.device(), seed);
    }

    /**
     * The same adapter from the model's config alone (its shapes are all it needs), on {@code device}: what
     * {@code ckl stages export} writes without loading the weights of a 7B base.
     */
    public static LoraAdapter init(LoraConfig config, LlamaConfig model, Device device, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        NDManager manager = NDManager.newBaseManager(device);
        Map<String, NDArray> tensors = new LinkedHashMap<>();
        for (Map.Entry<String, long[]> e : expectedShapes(config, model).entrySet()) {
            long[] s = e.getValue();
            int n = (int) (s[0] * s[1]);
            float[] data = new float[n];
            if (e.getKey().endsWith("lora_A.weight")) {
                double bound = 1.0 / Math.sqrt(s[1]);
                for (int i = 0; i < n; i++) {
                    data[i] = (float) ((rng.nextDouble() * 2 - 1) * bound);
                }
            }
            tensors.put(e.getKey(), create(manager, data, s, e.getKey()));
        }
        return new LoraAdapter(config, manager, tensors, true);
    }

    private static NDArray create(NDManager manager, float[] data, long[] shape, String name) {
        try (NDManager tmp = NDManager.newBaseManager(Device.cpu())) {
            NDArray a = tmp.create(data, new Shape(shape));
            a.setName(name);
            return Scopes.copy(a, DataType.FLOAT32, manager);
        }
    }

    /** Loads a PEFT adapter folder for {@code model}, checking every tensor's presence and shape. */
    public static LoraAdapter load(Path dir, LlamaModel model) throws IOException {
        LoraConfig config = LoraConfig.read(dir);
        Path file = dir.resolve(WEIGHTS_FILE);
        if (!Files.isRegularFile(file)) {
            throw new IOException("no " + WEIGHTS_FILE + " in " + dir
                    + " (adapter_model.bin is pickle, which this suite never reads)");
        }
        SafetensorsFile st = SafetensorsFile.open(file);
        Map<String, long[]> expected = expectedShapes(config, model.config());
        for (String name : st.entries().keySet()) {
            if (!expected.containsKey(name)) {
                throw new SafetensorsFormatException(file, name, "not a LoRA tensor of the model and"
                        + " target_modules in adapter_config.json");
            }
        }
        NDManager manager = NDManager.newBaseManager(model.device());
        Map<String, NDArray> tensors = new LinkedHashMap<>();
        try {
            for (Map.Entry<String, long[]> e : expected.entrySet()) {
                SafetensorsFile.Entry entry = st.entries().get(e.getKey());
                if (entry == null) {
                    throw new SafetensorsFormatException(file, e.getKey(), "missing (adapter_config.json"
                            + " targets its module)");
                }
                if (!Arrays.equals(entry.shape(), e.getValue())) {
                    throw new SafetensorsFormatException(file, e.getKey(), "shape " + Arrays.toString(entry.shape())
                            + " disagrees with r=" + config.r() + " and the model, which imply "
                            + Arrays.toString(e.getValue()));
                }
                tensors.put(e.getKey(), HfModels.readAs(st, e.getKey(), manager, DataType.FLOAT32));
            }
        } catch (IOException | RuntimeException ex) {
            manager.close();
            throw ex;
        }
        return new LoraAdapter(config, manager, tensors, true);
    }

    /** Writes PEFT's two files; {@code transformers}/PEFT load them with {@code PeftModel.from_pretrained}. */
    public void save(Path dir, String baseModelPath) throws IOException {
        Files.createDirectories(dir);
        var cfg = config.raw().deepCopy();
        // the fields PEFT's save_pretrained writes and LoraConfig reads, where the config lacks them
        cfg.putIfAbsent("peft_type", cfg.textNode("LORA"));
        cfg.putIfAbsent("task_type", cfg.textNode("CAUSAL_LM"));
        cfg.putIfAbsent("bias", cfg.textNode("none"));
        cfg.putIfAbsent("fan_in_fan_out", cfg.booleanNode(false));
        cfg.putIfAbsent("use_rslora", cfg.booleanNode(false));
        cfg.put("inference_mode", true);
        if (baseModelPath != null) {
            cfg.put("base_model_name_or_path", baseModelPath);
        } else {
            cfg.putIfAbsent("base_model_name_or_path", cfg.nullNode());
        }
        SafetensorsWriter.write(dir.resolve(WEIGHTS_FILE), tensors, null);
        AtomicFiles.writeString(dir.resolve("adapter_config.json"), JSON.writeValueAsString(cfg) + "\n");
    }

    @Override
    public NDArray project(String module, NDArray input, NDArray output) {
        NDArray a = tensors.get(nameA(module));
        if (a == null) {
            return output;
        }
        NDManager scope = input.getManager();
        NDArray x = input;
        if (training && config.dropout() > 0) {
            x = x.getNDArrayInternal().dropout(x, (float) config.dropout(), true).singletonOrThrow();
        }
        DataType type = input.getDataType();
        NDArray down = LlamaModel.linear(x, Scopes.cast(a, type, scope));
        NDArray b = Scopes.cast(tensors.get(nameB(module)), type, scope);
        if (exactScaling) {
            // s·(x·Aᵀ)·Bᵀ = (x·Aᵀ)·(s·B)ᵀ with the same bits, forward and backward, when s is a power of two
            // of at least 1 (such a product rounds nothing); s·B is out·r numbers, s·(x·Aᵀ) tokens·r
            b = b.mul(scaling(type));
            b.attach(scope);
        } else {
            // scaling the rank-r intermediate costs r/out of scaling the output
            down = Scalars.mul(down, config.scaling());
        }
        // output + ΔW·x summed into the fresh product, which nothing keeps for the backward pass: one
        // [tokens, out] array fewer (the sum is commutative, so the bits are those of output.add)
        return LlamaModel.linear(down, b).addi(output);
    }

    /** The scaling s as a 0-d array of {@code type}, kept for the adapter's life (autograd keeps it too). */
    private NDArray scaling(DataType type) {
        return scalings.computeIfAbsent(type, t -> {
            NDArray c = manager.create((float) config.scaling());
            if (t != DataType.FLOAT32) {
                NDArray cast = c.toType(t, false);
                c.close();
                c = cast;
            }
            return c;
        });
    }

    /**
     * Adds s·B·A into the base weights of {@code model}, in place: the model then computes what
     * model+adapter computed, without the adapter.
     */
    public void mergeInto(LlamaModel model) {
        for (String nameA : tensors.keySet()) {
            if (!nameA.endsWith(".lora_A.weight")) {
                continue;
            }
            String module = nameA.substring(PREFIX.length(), nameA.length() - ".lora_A.weight".length());
            NDArray w = model.weight(module + ".weight");
            try (NDManager tmp = model.manager().newSubManager()) {
                NDArray product = tensors.get(nameB(module)).matMul(tensors.get(nameA));
                product.attach(tmp);
                NDArray delta = product.mul(config.scaling());
                NDArray cast = delta.toType(w.getDataType(), false);
                cast.attach(tmp);
                w.addi(cast);
            }
        }
    }

    @Override
    public void close() {
        if (ownsManager) {
            manager.close();
        }
    }
}
