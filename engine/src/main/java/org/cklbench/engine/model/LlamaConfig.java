package org.cklbench.engine.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The fields of a Hugging Face {@code config.json} for {@code LlamaForCausalLM} that change what the
 * network computes. Fields that would change the computation in a way this engine does not implement
 * are rejected by {@link #parse} rather than silently ignored; purely informational fields are kept
 * verbatim so that a saved checkpoint carries them back out.
 */
public record LlamaConfig(
        int vocabSize,
        int hiddenSize,
        int intermediateSize,
        int numHiddenLayers,
        int numAttentionHeads,
        int numKeyValueHeads,
        double rmsNormEps,
        double ropeTheta,
        RopeScaling ropeScaling,
        boolean tieWordEmbeddings,
        int maxPositionEmbeddings,
        int bosTokenId,
        int eosTokenId,
        String torchDtype,
        ObjectNode raw) {

    private static final ObjectMapper JSON = new ObjectMapper();
    /**
     * Plausibility bounds of a config.json, far above any published Llama (vocabulary 256k, hidden
     * 16k, 126 layers, 10M positions) and below what would overflow the sizes computed from them.
     */
    static final int MAX_VOCAB = 1 << 24;
    static final int MAX_HIDDEN = 1 << 17;
    static final int MAX_INTERMEDIATE = 1 << 20;
    static final int MAX_LAYERS = 1024;
    static final int MIN_POSITIONS = 16;
    static final int MAX_POSITIONS = 1 << 24;

    /** Fields that do not change the forward pass (or are checked to have their neutral value). */
    private static final Set<String> INFORMATIONAL = Set.of(
            "architectures", "model_type", "bos_token_id", "eos_token_id", "pad_token_id", "torch_dtype",
            "transformers_version", "use_cache", "initializer_range", "max_position_embeddings",
            "_name_or_path", "pretraining_tp", "tie_word_embeddings", "rope_theta", "rms_norm_eps",
            "vocab_size", "hidden_size", "intermediate_size", "num_hidden_layers", "num_attention_heads",
            "num_key_value_heads", "hidden_act", "attention_bias", "mlp_bias", "attention_dropout",
            "rope_scaling", "head_dim", "max_sequence_length", "output_attentions", "output_hidden_states",
            "return_dict", "tokenizer_class", "dtype");

    public LlamaConfig {
        if (hiddenSize % numAttentionHeads != 0) {
            throw new IllegalArgumentException("hidden_size " + hiddenSize
                    + " is not divisible by num_attention_heads " + numAttentionHeads);
        }
        if (numAttentionHeads % numKeyValueHeads != 0) {
            throw new IllegalArgumentException("num_attention_heads " + numAttentionHeads
                    + " is not a multiple of num_key_value_heads " + numKeyValueHeads);
        }
        if ((hiddenSize / numAttentionHeads) % 2 != 0) {
            throw new IllegalArgumentException("head dimension " + hiddenSize / numAttentionHeads
                    + " must be even for rotary embeddings");
        }
    }

    public int headDim() {
        return hiddenSize / numAttentionHeads;
    }

    /** Reads {@code DIR/config.json}. */
    public static LlamaConfig read(Path dir) throws IOException {
        Path file = dir.resolve("config.json");
        try {
            return parse(JSON.readTree(Files.readAllBytes(file)), file.toString());
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            throw new IOException(org.cklbench.io.JsonErrors.describe(file, e), e);
        } catch (NoSuchFileException e) {
            throw new IOException("no config.json in " + dir
                    + ": point --model at a Hugging Face checkpoint folder", e);
        }
    }

    public static LlamaConfig parse(JsonNode node, String source) {
        if (!(node instanceof ObjectNode obj)) {
            throw new IllegalArgumentException(source + ": config must be a JSON object");
        }
        List<String> problems = new ArrayList<>();
        for (Iterator<String> it = obj.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!INFORMATIONAL.contains(f) && !f.startsWith("_")) {
                problems.add("unsupported field '" + f + "'");
            }
        }
        String modelType = obj.path("model_type").asText("llama");
        if (!modelType.equals("llama")) {
            problems.add("model_type '" + modelType + "' (only 'llama' is implemented)");
        }
        String act = obj.path("hidden_act").asText("silu");
        if (!act.equals("silu")) {
            problems.add("hidden_act '" + act + "' (only 'silu' is implemented)");
        }
        if (obj.path("attention_bias").asBoolean(false)) {
            problems.add("attention_bias=true (biased q/k/v/o projections are not implemented)");
        }
        if (obj.path("mlp_bias").asBoolean(false)) {
            problems.add("mlp_bias=true (biased MLP projections are not implemented)");
        }
        if (obj.path("attention_dropout").asDouble(0.0) != 0.0) {
            problems.add("attention_dropout=" + obj.get("attention_dropout") + " (only 0.0 is implemented)");
        }
        RopeScaling ropeScaling = RopeScaling.parse(obj.get("rope_scaling"), problems);
        int hidden = required(obj, "hidden_size", MAX_HIDDEN, problems);
        int heads = required(obj, "num_attention_heads", MAX_HIDDEN, problems);
        if (obj.has("head_dim") && heads > 0 && obj.get("head_dim").asInt() != hidden / heads) {
            problems.add("head_dim " + obj.get("head_dim") + " differs from hidden_size/num_attention_heads");
        }
        int vocab = required(obj, "vocab_size", MAX_VOCAB, problems);
        int inter = required(obj, "intermediate_size", MAX_INTERMEDIATE, problems);
        int layers = required(obj, "num_hidden_layers", MAX_LAYERS, problems);
        int kvHeads = obj.path("num_key_value_heads").asInt(heads);
        if (heads > 0 && hidden % heads != 0) {
            problems.add("hidden_size " + hidden + " is not a multiple of num_attention_heads " + heads);
        }
        if (kvHeads <= 0 || (heads > 0 && heads % kvHeads != 0)) {
            problems.add("num_key_value_heads " + obj.get("num_key_value_heads") + " must divide num_attention_heads "
                    + heads);
        }
        for (String f : List.of("rms_norm_eps", "rope_theta")) {
            JsonNode v = obj.get(f);
            if (v != null && !(v.isNumber() && Double.isFinite(v.asDouble()) && v.asDouble() > 0)) {
                problems.add(f + " " + v + " must be a finite number above 0");
            }
        }
        JsonNode maxPos = obj.get("max_position_embeddings");
        if (maxPos != null && !(maxPos.isIntegralNumber() && maxPos.canConvertToInt()
                && maxPos.asInt() >= MIN_POSITIONS && maxPos.asInt() <= MAX_POSITIONS)) {
            problems.add("max_position_embeddings " + maxPos + " is implausible: it must be a whole number from "
                    + MIN_POSITIONS + " (a probe sentence and its object) to " + MAX_POSITIONS);
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(source + ": this engine cannot run the configured model: "
                    + String.join("; ", problems));
        }
        return new LlamaConfig(
                vocab, hidden, inter, layers, heads,
                kvHeads,
                obj.path("rms_norm_eps").asDouble(1e-6),
                obj.path("rope_theta").asDouble(10000.0),
                ropeScaling,
                obj.path("tie_word_embeddings").asBoolean(false),
                obj.path("max_position_embeddings").asInt(2048),
                obj.path("bos_token_id").asInt(1),
                obj.path("eos_token_id").asInt(2),
                obj.path("torch_dtype").asText(obj.path("dtype").asText("float32")),
                obj.deepCopy());
    }

    private static int required(ObjectNode obj, String field, int max, List<String> problems) {
        JsonNode n = obj.get(field);
        if (n == null || n.isNull()) {
            problems.add("'" + field + "' is missing");
            return 1;
        }
        if (!n.isNumber() || (n.isFloatingPointNumber() && n.asDouble() != Math.rint(n.asDouble()))) {
            problems.add("'" + field + "' " + n + " is not a whole number");
            return 1;
        }
        if (n.asDouble() <= 0) {
            problems.add("'" + field + "' " + n + " must be above 0");
            return 1;
        }
        if (!n.canConvertToInt() || n.asInt() > max) {
            // a header of absurd sizes would otherwise reach allocation as an overflow or an out-of-memory error
            problems.add("'" + field + "' " + n + " is implausibly large (at most " + max + " here)");
            return 1;
        }
        return n.asInt();
    }

    /** A config for a new model, written as {@code transformers} would. */
    public static LlamaConfig create(int vocab, int hidden, int inter, int layers, int heads, int kvHeads,
                                     boolean tied, int maxPositions) {
        ObjectNode o = JSON.createObjectNode();
        o.putArray("architectures").add("LlamaForCausalLM");
        o.put("model_type", "llama");
        o.put("hidden_act", "silu");
        o.put("bos_token_id", 1);
        o.put("eos_token_id", 2);
        o.put("torch_dtype", "float32");
        o.put("attention_bias", false);
        o.put("vocab_size", vocab);
        o.put("hidden_size", hidden);
        o.put("intermediate_size", inter);
        o.put("num_hidden_layers", layers);
        o.put("num_attention_heads", heads);
        o.put("num_key_value_heads", kvHeads);
        o.put("rms_norm_eps", 1e-5);
        o.put("rope_theta", 10000.0);
        o.put("tie_word_embeddings", tied);
        o.put("max_position_embeddings", maxPositions);
        return parse(o, "new config");
    }

    /** The expected shape of every weight tensor, by Hugging Face name. */
    public Map<String, long[]> weightShapes() {
        Map<String, long[]> shapes = new java.util.LinkedHashMap<>();
        long kvDim = (long) numKeyValueHeads * headDim();
        shapes.put("model.embed_tokens.weight", new long[] {vocabSize, hiddenSize});
        for (int i = 0; i < numHiddenLayers; i++) {
            String p = "model.layers." + i + ".";
            shapes.put(p + "input_layernorm.weight", new long[] {hiddenSize});
            shapes.put(p + "self_attn.q_proj.weight", new long[] {hiddenSize, hiddenSize});
            shapes.put(p + "self_attn.k_proj.weight", new long[] {kvDim, hiddenSize});
            shapes.put(p + "self_attn.v_proj.weight", new long[] {kvDim, hiddenSize});
            shapes.put(p + "self_attn.o_proj.weight", new long[] {hiddenSize, hiddenSize});
            shapes.put(p + "post_attention_layernorm.weight", new long[] {hiddenSize});
            shapes.put(p + "mlp.gate_proj.weight", new long[] {intermediateSize, hiddenSize});
            shapes.put(p + "mlp.up_proj.weight", new long[] {intermediateSize, hiddenSize});
            shapes.put(p + "mlp.down_proj.weight", new long[] {hiddenSize, intermediateSize});
        }
        shapes.put("model.norm.weight", new long[] {hiddenSize});
        if (!tieWordEmbeddings) {
            shapes.put("lm_head.weight", new long[] {vocabSize, hiddenSize});
        }
        return shapes;
    }

    public long parameterCount() {
        return weightShapes().values().stream()
                .mapToLong(s -> java.util.Arrays.stream(s).reduce(1, (a, b) -> a * b)).sum();
    }
}
