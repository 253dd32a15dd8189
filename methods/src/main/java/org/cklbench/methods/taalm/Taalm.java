package org.cklbench.methods.taalm;

import org.cklbench.core.benchmark.MetaExample;
import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.cklbench.core.method.CklMethod;
import org.cklbench.core.method.MethodParams;
import org.cklbench.core.method.MethodProvider;
import org.cklbench.core.method.ParamSpec;
import org.cklbench.core.method.Preparation;
import org.cklbench.core.state.Batch;
import org.cklbench.core.state.TrainingDocument;
import org.cklbench.core.state.TrainingState;
import org.cklbench.engine.djl.PyTorchEngine;
import org.cklbench.engine.model.HfModels;
import org.cklbench.engine.model.LlamaModel;
import org.cklbench.engine.tokenizer.TextTokenizer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * TAALM (Seo, Lee & Yeo, 2024): θ is trained on the token-weighted loss with the weights a meta-trained
 * Train-Attention model φ predicts for each document. φ is the folder {@code ta}, or, with
 * {@code ta=auto}, one this method prepares: meta-trained with the {@code ta_*} parameters on the
 * benchmark's meta-training split, once per distinct input (cached). φ sits on its own base model
 * ({@code ta_base}: the reference puts a TinyLlama φ beside a Llama-2-7B θ), or on the run's model; the
 * two must share a tokenizer, since φ weighs θ's tokens.
 */
public final class Taalm implements MethodProvider {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public String id() {
        return "taalm";
    }

    @Override
    public String description() {
        return "TAALM: token-weighted loss with weights from a meta-trained Train-Attention model";
    }

    @Override
    public List<ParamSpec> parameters() {
        return List.of(
                ParamSpec.path("ta", "auto", "Train-Attention model folder (ckl taalm train); 'auto': meta-train one on"
                        + " the benchmark's meta-training split with the ta_* parameters (cached in CKL_HOME)"),
                ParamSpec.path("ta_base", "model", "the base model folder phi runs on, beside theta (same tokenizer);"
                        + " 'model': the run's model"),
                ParamSpec.integer("ta_epochs", 30, 1, 100_000, "auto: outer epochs of meta-training"),
                ParamSpec.integer("ta_batch_size", 16, 1, 1 << 20, "auto: examples per outer step"),
                ParamSpec.real("ta_lr", 2e-4, 0, 10, "auto: outer AdamW learning rate").openBelow(),
                ParamSpec.choice("ta_inner", "adamw", List.of("adamw", "reference", "sgd"), "auto: the inner optimiser of θ;"
                        + " adamw: textbook AdamW; reference: the authors' AdamW variant (taalm_adamw.py), whose"
                        + " denominator (sqrt(v+1e-8)+1e-8)/sqrt(bc2)+eps floors small steps"),
                ParamSpec.real("ta_inner_lr", 2e-4, 0, 10, "auto: inner learning rate").openBelow(),
                ParamSpec.integer("ta_dummy_steps", 1, 0, 1000, "auto: graph-free inner steps before the differentiated one"
                        + " (AdamW's first step is about lr·sign(g), whose derivative vanishes: the reference takes one)"),
                ParamSpec.integer("ta_lora_r", 64, 1, 1 << 16, "auto: LoRA rank of φ and of the inner θ"),
                ParamSpec.real("ta_lora_alpha", 16, 0, 1e6, "auto: LoRA alpha of φ and of the inner θ").openBelow(),
                ParamSpec.integer("ta_max_tokens", 512, 2, 1 << 20, "auto: longest document, in tokens"),
                ParamSpec.integer("ta_validate_every", 50, 1, Integer.MAX_VALUE, "auto: outer steps between validations"),
                ParamSpec.real("ta_validation_share", 0.1, 0, 1, "auto: share of the split held out for validation")
                        .openBelow().openAbove(),
                ParamSpec.real("ta_clip", 1.0, 0, 1e9, "auto: the largest global norm of the averaged meta-gradient;"
                        + " 0: no clipping (the reference never clips)"),
                ParamSpec.choice("ta_head_init", "normal", List.of("normal", "reference"), "auto: phi's head weight;"
                        + " normal: N(0, 0.001); reference: nn.Linear's default U(-1/sqrt(hidden), 1/sqrt(hidden)), as the"
                        + " authors' training script re-creates it; the bias starts at 4 either way"),
                ParamSpec.path("init_adapter", "none", "auto: a PEFT LoRA adapter folder that theta starts from in"
                        + " meta-training, and phi's LoRA too when phi runs on the run's model (the reference starts both"
                        + " from trained adapters); 'none': fresh LoRAs (B = 0)"),
                ParamSpec.path("ta_phi_adapter", "same", "auto: a PEFT LoRA adapter folder phi's LoRA starts from;"
                        + " 'same': init_adapter when phi runs on the run's model, a fresh LoRA when on its own ta_base"),
                ParamSpec.runSeed("ta_seed", 0, Integer.MAX_VALUE, "auto: seed of φ's initialisation and the data"
                        + " order; by default the run's seed, so that the seeds of a run vary φ's training too"));
    }

    /** The meta-training hyperparameters the {@code ta_*} parameters give. */
    public static TaTrainer.Settings settings(MethodParams p) {
        double lr = p.getDouble("ta_inner_lr");
        int dummy = p.getInt("ta_dummy_steps");
        MetaGradient.Settings inner = switch (p.getString("ta_inner")) {
            case "sgd" -> MetaGradient.Settings.sgd(lr);
            case "reference" -> MetaGradient.Settings.reference(lr, dummy);
            default -> MetaGradient.Settings.adamw(lr, dummy);
        };
        return new TaTrainer.Settings(p.getInt("ta_epochs"), p.getInt("ta_batch_size"), p.getDouble("ta_lr"), inner,
                p.getInt("ta_lora_r"), p.getDouble("ta_lora_alpha"), p.getInt("ta_max_tokens"),
                p.getInt("ta_validate_every"), p.getDouble("ta_validation_share"), p.getInt("ta_seed"),
                p.getDouble("ta_clip"), TrainAttentionModel.HeadInit.valueOf(p.getString("ta_head_init").toUpperCase(
                        java.util.Locale.ROOT)), thetaStart(p), phiStart(p));
    }

    /** The adapter θ starts from in meta-training, or null. */
    static Path thetaStart(MethodParams p) {
        String a = p.getString("init_adapter");
        return a.equals("none") ? null : Path.of(a);
    }

    /** The adapter φ's LoRA starts from, or null. */
    static Path phiStart(MethodParams p) {
        String a = p.getString("ta_phi_adapter");
        if (!a.equals("same")) {
            return Path.of(a);
        }
        return phiBase(p) == null ? thetaStart(p) : null;
    }

    /** φ's base folder, or null for the run's model. */
    static Path phiBase(MethodParams params) {
        String b = params.getString("ta_base");
        return b.equals("model") ? null : Path.of(b);
    }

    /** The same tokenizer, or an error naming both folders: φ weighs the ids of θ's tokenizer. */
    static void checkTokenizers(TextTokenizer theta, TextTokenizer phi, Path phiBase) {
        if (!theta.fingerprint().equals(phi.fingerprint())) {
            throw new IllegalArgumentException("taalm: the tokenizer of phi's base " + phiBase + " differs from the run"
                    + " model's; phi weighs theta's tokens, so both need the same tokenizer (the reference pairs"
                    + " TinyLlama with Llama-2, which share one)");
        }
    }

    @Override
    public Preparation preparation(MethodParams params) {
        if (!params.getString("ta").equals("auto")) {
            return null;
        }
        TaTrainer.Settings s = settings(params);
        Path phiBase = phiBase(params);
        return new Preparation() {
            @Override
            public String name() {
                return "train-attention";
            }

            @Override
            public Map<String, Path> inputs() {
                Map<String, Path> in = new java.util.TreeMap<>();
                if (phiBase != null) {
                    in.put("ta_base", phiBase);
                }
                if (s.thetaStart() != null) {
                    in.put("init_adapter", s.thetaStart());
                }
                if (s.phiStart() != null) {
                    in.put("ta_phi_adapter", s.phiStart());
                }
                return in;
            }

            @Override
            public ObjectNode settings() {
                ObjectNode o = JSON.createObjectNode();
                params.asMap().forEach((k, v) -> {
                    if (k.startsWith("ta_") || k.equals("init_adapter")) {
                        o.set(k, JSON.valueToTree(v));
                    }
                });
                return o;
            }

            @Override
            public Path run(Context ctx, Path work) throws IOException {
                List<MetaExample> examples = ctx.split();
                if (examples.size() < 2) {
                    throw new IllegalArgumentException("taalm: the meta-training split has " + examples.size()
                            + " example(s); meta-training needs at least 2");
                }
                Device device = PyTorchEngine.device(ctx.device());
                // float32 whatever the run's precision: the meta-gradient's finite differences need it
                try (LlamaModel theta = HfModels.load(ctx.model(), device, DataType.FLOAT32);
                     TextTokenizer tok = TextTokenizer.load(ctx.model())) {
                    Path best;
                    if (phiBase == null) {
                        best = TaTrainer.train(theta, ctx.model(), theta, tok, examples, s, work, ctx.progress());
                    } else {
                        try (LlamaModel phi = HfModels.load(phiBase, device, DataType.FLOAT32);
                             TextTokenizer phiTok = TextTokenizer.load(phiBase)) {
                            checkTokenizers(tok, phiTok, phiBase);
                            best = TaTrainer.train(phi, phiBase, theta, tok, examples, s, work, ctx.progress());
                        }
                    }
                    ctx.progress().note(TaTrainer.summary(work));
                    return best;
                }
            }
        };
    }

    @Override
    public CklMethod create(MethodParams params) {
        Path dir = params.getString("ta").equals("auto") ? params.prepared() : Path.of(params.getString("ta"));
        Path phiBase = phiBase(params);
        return new CklMethod() {
            private TrainAttentionModel model;
            private LlamaModel ownBase;

            @Override
            public void setup(TrainingState state) {
                try {
                    LlamaModel base = state.model();
                    if (phiBase != null) {
                        try (TextTokenizer phiTok = TextTokenizer.load(phiBase)) {
                            checkTokenizers(state.tokenizer(), phiTok, phiBase);
                        }
                        ownBase = HfModels.load(phiBase, base.device(), base.computeType());
                        base = ownBase;
                    }
                    model = load(dir, base, phiBase);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }

            /**
             * φ is frozen and has no dropout, so a document's weights are the same every epoch: they are
             * computed with the batch the document first comes in, and read back afterwards. A row's weights
             * do not depend on the rows beside it or on the padding after it (checked: the quick preset's
             * metrics.jsonl are byte-identical with and without this), and LAMA-ckl's 14 epochs then run φ once.
             */
            private final Map<TrainingDocument, float[]> seen = new java.util.IdentityHashMap<>();

            @Override
            public NDArray tokenWeights(TrainingState state, Batch batch, NDArray nll) {
                List<TrainingDocument> docs = batch.documents();
                long len = batch.ids().getShape().get(1);
                // loss=reference also trains the target after a shorter row's last token, whose weight depends on
                // the padding beside the row, so the weights are computed afresh for every batch there
                if (!state.settings().referenceLoss() && docs.stream().allMatch(seen::containsKey)) {
                    float[] w = new float[(int) (docs.size() * (len - 1))];
                    for (int r = 0; r < docs.size(); r++) {
                        float[] row = seen.get(docs.get(r));
                        System.arraycopy(row, 0, w, (int) (r * (len - 1)), row.length);
                    }
                    // padded targets keep weight 0: the loss multiplies every weight by the target mask
                    return batch.scope().create(w, new ai.djl.ndarray.types.Shape(docs.size(), len - 1));
                }
                NDArray w = model.weights(batch.ids(), batch.mask()).stopGradient();
                float[] all = w.toFloatArray();
                for (int r = 0; r < docs.size(); r++) {
                    int n = docs.get(r).ids().length - 1;
                    seen.putIfAbsent(docs.get(r), java.util.Arrays.copyOfRange(all, (int) (r * (len - 1)),
                            (int) (r * (len - 1)) + Math.max(0, n)));
                }
                return w;
            }

            @Override
            public void close() {
                if (model != null) {
                    model.close();
                }
                if (ownBase != null) {
                    ownBase.close();
                }
            }
        };
    }

    /** φ from {@code dir} over {@code base}; a φ trained over another base is named with the way to give it. */
    static TrainAttentionModel load(Path dir, LlamaModel base, Path phiBase) throws IOException {
        try {
            return TrainAttentionModel.load(dir, base);
        } catch (IOException e) {
            String recorded = new com.fasterxml.jackson.databind.ObjectMapper().readTree(dir.resolve("adapter_config.json")
                    .toFile()).path("base_model_name_or_path").asText("");
            if (phiBase == null && !recorded.isEmpty()) {
                throw new IOException("taalm: the Train-Attention model " + dir + " does not fit the run's model ("
                        + e.getMessage() + "); it was meta-trained over " + recorded + ": give --param taalm.ta_base="
                        + recorded, e);
            }
            throw e;
        }
    }

}
