package org.cklbench.methods.taalm;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.cklbench.engine.djl.Scopes;
import org.cklbench.engine.safetensors.SafetensorsFile;
import org.cklbench.engine.safetensors.SafetensorsFormatException;
import org.cklbench.engine.safetensors.SafetensorsWriter;
import org.cklbench.engine.lora.LoraAdapter;
import org.cklbench.engine.lora.LoraConfig;
import org.cklbench.engine.model.HfModels;
import org.cklbench.engine.model.LlamaModel;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The Train-Attention model φ of TAALM: the frozen base LM with φ's own LoRA adapter, whose LM head is
 * replaced by a TA head (hidden → 1, with bias). The weight of target token x[t+1] is
 * {@code sigmoid(head(h[t+1]))}, h being the final-norm hidden states. Stored as PEFT's adapter files
 * plus {@code ta_head.safetensors} ({@code ta_head.weight} [1, hidden], {@code ta_head.bias} [1]).
 */
public final class TrainAttentionModel implements AutoCloseable {
    public static final String HEAD_FILE = "ta_head.safetensors";
    public static final String HEAD_WEIGHT = "ta_head.weight";
    public static final String HEAD_BIAS = "ta_head.bias";
    /** The reference initialisation: bias 4.0 (weights start near sigmoid(4) ≈ 0.98), weight N(0, 0.001). */
    public static final double INIT_BIAS = 4.0;
    public static final double INIT_STD = 0.001;

    private final LlamaModel base;
    private final LoraAdapter lora;
    private final NDManager headManager;
    private final NDArray headWeight;
    private final NDArray headBias;

    private TrainAttentionModel(LlamaModel base, LoraAdapter lora, NDManager headManager, NDArray w, NDArray b) {
        this.base = base;
        this.lora = lora;
        this.headManager = headManager;
        this.headWeight = w;
        this.headBias = b;
    }

    public LlamaModel base() {
        return base;
    }

    public LoraAdapter lora() {
        return lora;
    }

    /** Every trainable tensor of φ: the LoRA tensors by PEFT name and the two head tensors. */
    public Map<String, NDArray> parameters() {
        Map<String, NDArray> out = new LinkedHashMap<>(lora.parameters());
        out.put(HEAD_WEIGHT, headWeight);
        out.put(HEAD_BIAS, headBias);
        return out;
    }

    /** Token weights [B, L-1] in (0, 1), float32, for the targets of {@code ids} [B, L]. */
    public NDArray weights(NDArray ids, NDArray mask) {
        NDArray h = base.hidden(ids, mask, lora);
        NDManager scope = ids.getManager();
        NDArray w = Scopes.cast(headWeight, h.getDataType(), scope);
        NDArray logits = Scopes.castInGraph(h.getNDArrayInternal().linear(h, w, Scopes.cast(headBias, h.getDataType(), scope))
                .singletonOrThrow().squeeze(-1), DataType.FLOAT32);
        long len = ids.getShape().get(1);
        return logits.get(new NDIndex(":, 1:{}", len)).getNDArrayInternal().sigmoid();
    }

    public static TrainAttentionModel load(Path dir, LlamaModel base) throws IOException {
        LoraAdapter lora = LoraAdapter.load(dir, base);
        Path headFile = dir.resolve(HEAD_FILE);
        if (!Files.isRegularFile(headFile)) {
            lora.close();
            throw new IOException("no " + HEAD_FILE + " in " + dir + ": not a Train-Attention model folder");
        }
        SafetensorsFile st = SafetensorsFile.open(headFile);
        long hidden = base.config().hiddenSize();
        NDManager manager = NDManager.newBaseManager(base.device());
        try {
            check(st, HEAD_WEIGHT, new long[] {1, hidden});
            check(st, HEAD_BIAS, new long[] {1});
            NDArray w = HfModels.readAs(st, HEAD_WEIGHT, manager, DataType.FLOAT32);
            NDArray b = HfModels.readAs(st, HEAD_BIAS, manager, DataType.FLOAT32);
            return new TrainAttentionModel(base, lora, manager, w, b);
        } catch (IOException | RuntimeException e) {
            manager.close();
            lora.close();
            throw e;
        }
    }

    private static void check(SafetensorsFile st, String name, long[] shape) throws SafetensorsFormatException {
        SafetensorsFile.Entry e = st.entry(name);
        if (!Arrays.equals(e.shape(), shape)) {
            throw new SafetensorsFormatException(st.path(), name, "shape " + Arrays.toString(e.shape())
                    + " but the base model implies " + Arrays.toString(shape));
        }
    }

    /**
     * How the head's weight starts (the bias starts at {@link #INIT_BIAS} either way). NORMAL: N(0, 0.001),
     * as the reference's {@code init_phi} draws it; REFERENCE: PyTorch's default {@code nn.Linear}
     * initialisation, U(−1/√hidden, 1/√hidden), since the reference's training script re-creates the head in
     * {@code reboot_phi_model} ({@code TAALM.py} lines 239-241) after {@code init_phi} and before training.
     */
    public enum HeadInit {
        NORMAL, REFERENCE
    }

    /** A new φ with the reference initialisation, seeded. */
    public static TrainAttentionModel init(LlamaModel base, LoraConfig loraConfig, long seed) {
        return init(base, loraConfig, seed, HeadInit.NORMAL);
    }

    /** A new φ with a fresh LoRA and the head as {@code head} says, seeded. */
    public static TrainAttentionModel init(LlamaModel base, LoraConfig loraConfig, long seed, HeadInit head) {
        return init(base, LoraAdapter.init(loraConfig, base, seed), seed, head);
    }

    /** A φ over {@code lora} (which it then owns: a fresh one, or a trained adapter to start from) with a new head. */
    public static TrainAttentionModel init(LlamaModel base, LoraAdapter lora, long seed, HeadInit head) {
        SplittableRandom rng = new SplittableRandom(seed ^ 0x5DEECE66DL);
        int hidden = base.config().hiddenSize();
        float[] w = new float[hidden];
        double bound = 1 / Math.sqrt(hidden);
        for (int i = 0; i < hidden; i++) {
            w[i] = (float) (head == HeadInit.REFERENCE ? (2 * rng.nextDouble() - 1) * bound
                    : HfModels.gaussian(rng) * INIT_STD);
        }
        NDManager manager = NDManager.newBaseManager(base.device());
        NDArray wArr;
        NDArray bArr;
        try (NDManager tmp = NDManager.newBaseManager(Device.cpu())) {
            wArr = Scopes.copy(tmp.create(w, new Shape(1, hidden)), DataType.FLOAT32, manager);
            bArr = Scopes.copy(tmp.create(new float[] {(float) INIT_BIAS}, new Shape(1)), DataType.FLOAT32, manager);
        }
        return new TrainAttentionModel(base, lora, manager, wArr, bArr);
    }

    public void save(Path dir, String baseModelPath) throws IOException {
        lora.save(dir, baseModelPath);
        Map<String, NDArray> head = new LinkedHashMap<>();
        head.put(HEAD_WEIGHT, headWeight);
        head.put(HEAD_BIAS, headBias);
        SafetensorsWriter.write(dir.resolve(HEAD_FILE), head, null);
    }

    /** Frees φ's own tensors; the base model belongs to the caller. */
    @Override
    public void close() {
        headManager.close();
        lora.close();
    }
}
