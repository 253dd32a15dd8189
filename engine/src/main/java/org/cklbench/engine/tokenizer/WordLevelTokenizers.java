package org.cklbench.engine.tokenizer;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.cklbench.io.AtomicFiles;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Writes a Hugging Face word-level {@code tokenizer.json} (and its {@code tokenizer_config.json}) for
 * a closed corpus: the generated worlds of the presets. Words are what the {@code Whitespace}
 * pre-tokenizer yields ({@code \w+|[^\w\s]+}); ids 0–2 are {@code <unk>}, {@code <s>}, {@code </s>},
 * the rest in sorted order, so the same corpus always gives the same ids.
 */
public final class WordLevelTokenizers {
    private static final Pattern WORD = Pattern.compile("\\w+|[^\\w\\s]+", Pattern.UNICODE_CHARACTER_CLASS);
    public static final List<String> SPECIALS = List.of("<unk>", "<s>", "</s>");
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private WordLevelTokenizers() {
    }

    public static TreeSet<String> words(Collection<String> texts) {
        TreeSet<String> out = new TreeSet<>();
        for (String t : texts) {
            Matcher m = WORD.matcher(t);
            while (m.find()) {
                out.add(m.group());
            }
        }
        return out;
    }

    /** Writes the tokenizer files into {@code dir}; returns the vocabulary size. */
    public static int write(Path dir, Collection<String> texts) throws IOException {
        Files.createDirectories(dir);
        ObjectNode root = JSON.createObjectNode();
        root.put("version", "1.0");
        root.putNull("truncation");
        root.putNull("padding");
        ArrayNode added = root.putArray("added_tokens");
        for (int i = 0; i < SPECIALS.size(); i++) {
            added.addObject().put("id", i).put("content", SPECIALS.get(i)).put("single_word", false)
                    .put("lstrip", false).put("rstrip", false).put("normalized", false).put("special", true);
        }
        root.putNull("normalizer");
        root.putObject("pre_tokenizer").put("type", "Whitespace");
        root.putNull("post_processor");
        root.putNull("decoder");
        ObjectNode model = root.putObject("model");
        model.put("type", "WordLevel");
        ObjectNode vocab = model.putObject("vocab");
        int id = 0;
        for (String s : SPECIALS) {
            vocab.put(s, id++);
        }
        for (String w : words(texts)) {
            vocab.put(w, id++);
        }
        model.put("unk_token", "<unk>");
        AtomicFiles.writeString(dir.resolve("tokenizer.json"), JSON.writeValueAsString(root) + "\n");
        ObjectNode cfg = JSON.createObjectNode();
        cfg.put("add_bos_token", true);
        cfg.put("add_eos_token", false);
        cfg.put("bos_token", "<s>");
        cfg.put("eos_token", "</s>");
        cfg.put("unk_token", "<unk>");
        cfg.put("tokenizer_class", "PreTrainedTokenizerFast");
        AtomicFiles.writeString(dir.resolve("tokenizer_config.json"), JSON.writeValueAsString(cfg) + "\n");
        return id;
    }
}
