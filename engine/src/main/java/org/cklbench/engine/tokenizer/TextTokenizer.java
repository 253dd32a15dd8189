package org.cklbench.engine.tokenizer;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

/**
 * A {@code tokenizer.json} through DJL's Hugging Face tokenizers, with the BOS/EOS rules of
 * {@code tokenizer_config.json} ({@code add_bos_token}, {@code add_eos_token}, {@code bos_token},
 * {@code eos_token}) and, where those are absent, the ids of {@code config.json}. Special tokens are
 * added here rather than by the tokenizer's post-processor, so the rule is explicit and the same for
 * every tokenizer; truncation and padding are off.
 */
public final class TextTokenizer implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HuggingFaceTokenizer tokenizer;
    private final boolean addBos;
    private final boolean addEos;
    private final long bosId;
    private final long eosId;
    private final String fingerprint;

    private TextTokenizer(HuggingFaceTokenizer tokenizer, boolean addBos, boolean addEos, long bosId, long eosId,
                          String fingerprint) {
        this.tokenizer = tokenizer;
        this.addBos = addBos;
        this.addEos = addEos;
        this.bosId = bosId;
        this.eosId = eosId;
        this.fingerprint = fingerprint;
    }

    /**
     * What decides how text becomes ids: a hash of tokenizer.json's model (vocabulary, merges),
     * added tokens, normalizer and pre-tokenizer, and the BOS/EOS rule. Two models can share inputs
     * (TAALM's φ beside θ) exactly when their tokenizers have the same fingerprint.
     */
    public String fingerprint() {
        return fingerprint;
    }

    /** Loads {@code dir/tokenizer.json} with the settings of the configs beside it. */
    public static TextTokenizer load(Path dir) throws IOException {
        Path file = dir.resolve("tokenizer.json");
        if (!Files.isRegularFile(file)) {
            throw new IOException("no tokenizer.json in " + dir + " (a Hugging Face 'fast' tokenizer file is needed;"
                    + " tokenizer.model alone is not read)");
        }
        JsonNode tokCfg = readIfPresent(dir.resolve("tokenizer_config.json"));
        JsonNode modelCfg = readIfPresent(dir.resolve("config.json"));
        JsonNode tokJson = read(file);
        long vocab = modelCfg.path("vocab_size").asLong(Long.MAX_VALUE);
        long maxId = maxId(tokJson);
        if (maxId >= vocab) {
            // the model would fail at its first forward pass with "index out of range in self"
            throw new IOException(file + " holds token id " + maxId + " but " + dir.resolve("config.json")
                    + " gives vocab_size " + vocab + ": this tokenizer does not belong to this model");
        }
        HuggingFaceTokenizer hf;
        try {
            hf = HuggingFaceTokenizer.newInstance(file, Map.of(
                    "addSpecialTokens", "false", "truncation", "false", "padding", "false"));
        } catch (RuntimeException e) {
            throw new IOException(file + " is not a tokenizer the Hugging Face tokenizers library can read: "
                    + e.getMessage(), e);
        }
        long bos = specialId(tokCfg, "bos_token", tokJson, modelCfg.path("bos_token_id").asLong(1));
        long eos = specialId(tokCfg, "eos_token", tokJson, modelCfg.path("eos_token_id").asLong(2));
        boolean addBos = tokCfg.path("add_bos_token").asBoolean(true);
        boolean addEos = tokCfg.path("add_eos_token").asBoolean(false);
        var parts = JSON.createObjectNode();
        for (String k : new String[] {"model", "added_tokens", "normalizer", "pre_tokenizer"}) {
            parts.set(k, tokJson.path(k));
        }
        parts.put("bos", addBos ? bos : -1).put("eos", addEos ? eos : -1);
        String fingerprint = org.cklbench.io.Hashing.sha256(JSON.writeValueAsString(parts));
        return new TextTokenizer(hf, addBos, addEos, bos, eos, fingerprint);
    }

    private static JsonNode readIfPresent(Path p) throws IOException {
        return Files.isRegularFile(p) ? read(p) : JSON.createObjectNode();
    }

    private static JsonNode read(Path p) throws IOException {
        try {
            JsonNode n = JSON.readTree(p.toFile());
            if (n == null || !n.isObject()) {
                throw new IOException(p + " is not a JSON object");
            }
            return n;
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            throw new IOException(p + " is not valid JSON: " + e.getOriginalMessage(), e);
        }
    }

    /** The largest id the tokenizer can produce: its vocabulary's (object or Unigram list) and added tokens'. */
    private static long maxId(JsonNode tokJson) {
        long max = -1;
        JsonNode vocab = tokJson.path("model").path("vocab");
        if (vocab.isObject()) {
            for (JsonNode id : (Iterable<JsonNode>) vocab::elements) {
                max = Math.max(max, id.asLong());
            }
        } else if (vocab.isArray()) {
            max = vocab.size() - 1;
        }
        for (JsonNode added : tokJson.path("added_tokens")) {
            max = Math.max(max, added.path("id").asLong());
        }
        return max;
    }

    /** The id of the special token named in tokenizer_config.json, found among tokenizer.json's added tokens. */
    private static long specialId(JsonNode tokCfg, String field, JsonNode tokJson, long fallback) {
        JsonNode t = tokCfg.get(field);
        String content = t == null || t.isNull() ? null : t.isTextual() ? t.asText() : t.path("content").asText(null);
        if (content != null) {
            for (JsonNode added : tokJson.path("added_tokens")) {
                if (content.equals(added.path("content").asText())) {
                    return added.path("id").asLong();
                }
            }
            JsonNode vocabId = tokJson.path("model").path("vocab").get(content);
            if (vocabId != null) {
                return vocabId.asLong();
            }
        }
        return fallback;
    }

    /** Token ids of {@code text} with BOS (and EOS) as the tokenizer config asks. */
    public long[] encode(String text) {
        long[] body = tokenizer.encode(text, false, false).getIds();
        int extra = (addBos ? 1 : 0) + (addEos ? 1 : 0);
        long[] out = new long[body.length + extra];
        int i = 0;
        if (addBos) {
            out[i++] = bosId;
        }
        System.arraycopy(body, 0, out, i, body.length);
        if (addEos) {
            out[out.length - 1] = eosId;
        }
        return out;
    }

    /** As {@link #encode(String)}, cut to the first {@code maxTokens} ids (a document's training window). */
    public long[] encode(String text, int maxTokens) {
        long[] ids = encode(text);
        return ids.length > maxTokens ? Arrays.copyOf(ids, maxTokens) : ids;
    }

    /** Token ids of {@code text} alone, without any special token (for locating a span). */
    public long[] encodePlain(String text) {
        return tokenizer.encode(text, false, false).getIds();
    }

    public String decode(long[] ids) {
        return tokenizer.decode(ids, false);
    }

    public long bosId() {
        return bosId;
    }

    public long eosId() {
        return eosId;
    }

    public boolean addsBos() {
        return addBos;
    }

    @Override
    public String toString() {
        return "TextTokenizer[bos=" + bosId + (addBos ? " added" : "") + ", eos=" + eosId + (addEos ? " added" : "") + "]";
    }

    @Override
    public void close() {
        tokenizer.close();
    }

}
