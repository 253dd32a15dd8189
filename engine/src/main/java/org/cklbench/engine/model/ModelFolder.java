package org.cklbench.engine.model;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * The shape of a Hugging Face model folder, checked before anything in it is hashed or loaded: a
 * {@code --model} pointed at a large folder of something else once hashed 50,568 files before it
 * said "no config.json". Reads only config.json and the shard index.
 */
public final class ModelFolder {
    /** Read by {@link org.cklbench.engine.tokenizer.TextTokenizer} when present. */
    private static final String TOKENIZER = "tokenizer.json";
    private static final String TOKENIZER_CONFIG = "tokenizer_config.json";

    private ModelFolder() {
    }

    /**
     * The files of {@code dir} that the loader and the tokenizer read (relative names, sorted): its
     * config.json, its weights (one file or the shards its index names) and its tokenizer files; an
     * error naming what is missing when {@code dir} is no model folder, or its config.json no
     * plausible Llama configuration.
     */
    public static List<String> loaderFiles(Path dir) throws IOException {
        if (Files.isRegularFile(dir)) {
            throw new IllegalArgumentException(dir + " is a file; --model takes a model folder (config.json,"
                    + " model.safetensors, tokenizer.json)");
        }
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("model folder " + dir + " does not exist");
        }
        if (!Files.isRegularFile(dir.resolve("config.json"))) {
            throw new IllegalArgumentException(dir + " is not a model folder: it holds no config.json; point --model"
                    + " at a Hugging Face checkpoint folder (config.json, model.safetensors, tokenizer.json)");
        }
        LlamaConfig.read(dir);
        TreeSet<String> files = new TreeSet<>();
        files.add("config.json");
        var shards = HfModels.shardMap(dir);
        if (shards.isEmpty()) {
            files.add(HfModels.SINGLE);
        } else {
            files.add(HfModels.INDEX);
            for (String shard : new TreeSet<>(shards.values())) {
                if (!Files.isRegularFile(dir.resolve(shard))) {
                    throw new IOException(dir.resolve(shard) + ": shard named by " + HfModels.INDEX + " does not exist");
                }
                files.add(shard);
            }
        }
        if (!Files.isRegularFile(dir.resolve(TOKENIZER))) {
            throw new IllegalArgumentException(dir + " holds no " + TOKENIZER + " (a Hugging Face 'fast' tokenizer"
                    + " file is needed; tokenizer.model alone is not read)");
        }
        files.add(TOKENIZER);
        if (Files.isRegularFile(dir.resolve(TOKENIZER_CONFIG), LinkOption.NOFOLLOW_LINKS)
                || Files.isRegularFile(dir.resolve(TOKENIZER_CONFIG))) {
            files.add(TOKENIZER_CONFIG);
        }
        return new ArrayList<>(files);
    }
}
