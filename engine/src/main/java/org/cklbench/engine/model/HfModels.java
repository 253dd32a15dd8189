package org.cklbench.engine.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.cklbench.engine.djl.Scopes;
import org.cklbench.io.AtomicFiles;
import org.cklbench.engine.safetensors.SafetensorsFile;
import org.cklbench.engine.safetensors.SafetensorsFormatException;
import org.cklbench.engine.safetensors.SafetensorsWriter;
import org.cklbench.engine.safetensors.TensorDType;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

/** Reads and writes Hugging Face checkpoint folders of Llama models. */
public final class HfModels {
    public static final String SINGLE = "model.safetensors";
    public static final String INDEX = "model.safetensors.index.json";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private HfModels() {
    }

    /**
     * Loads {@code dir} onto {@code device}, converting every weight to {@code computeType}.
     * Everything is checked against {@code config.json} before the model is returned.
     */
    public static LlamaModel load(Path dir, Device device, DataType computeType) throws IOException {
        LlamaConfig config = LlamaConfig.read(dir);
        Map<String, String> shardOf = shardMap(dir);
        Map<String, SafetensorsFile> files = new HashMap<>();
        for (String f : new java.util.TreeSet<>(shardOf.values())) {
            Path p = dir.resolve(f);
            if (!Files.isRegularFile(p)) {
                throw new IOException(p + ": shard named by " + INDEX + " does not exist");
            }
            files.put(f, SafetensorsFile.open(p));
        }
        Map<String, long[]> expected = config.weightShapes();
        checkNoStrangers(dir, config, files, expected);

        NDManager manager = NDManager.newBaseManager(device);
        Map<String, NDArray> weights = new LinkedHashMap<>();
        TensorDType stored = null;
        try {
            for (Map.Entry<String, long[]> e : expected.entrySet()) {
                String name = e.getKey();
                String fileName = shardOf.getOrDefault(name, shardOf.isEmpty() ? SINGLE : null);
                if (fileName == null) {
                    throw new SafetensorsFormatException(dir.resolve(INDEX), name,
                            "missing from weight_map (config.json expects it)");
                }
                SafetensorsFile file = files.get(fileName);
                SafetensorsFile.Entry entry = file.entries().get(name);
                if (entry == null) {
                    throw new SafetensorsFormatException(file.path(), name, "missing (config.json expects it)");
                }
                if (!Arrays.equals(entry.shape(), e.getValue())) {
                    throw new SafetensorsFormatException(file.path(), name, "shape "
                            + Arrays.toString(entry.shape()) + " disagrees with config.json, which implies "
                            + Arrays.toString(e.getValue()));
                }
                if (!entry.dtype().djl.isFloating()) {
                    throw new SafetensorsFormatException(file.path(), name, "weights must be floating point, found "
                            + entry.dtype());
                }
                if (stored == null) {
                    stored = entry.dtype();
                }
                weights.put(name, readAs(file, name, manager, computeType));
            }
        } catch (IOException | RuntimeException e) {
            manager.close();
            throw e;
        }
        Map<String, String> layout = new TreeMap<>(shardOf);
        return new LlamaModel(config, manager, weights, computeType, new HfLayout(layout, stored));
    }

    /** A tensor of {@code file} on the manager's device in {@code type}; temporaries are freed. */
    public static NDArray readAs(SafetensorsFile file, String name, NDManager manager, DataType type)
            throws IOException {
        try (NDManager tmp = NDManager.newBaseManager(Device.cpu())) {
            return Scopes.copy(file.read(name, tmp), type, manager);
        }
    }

    static Map<String, String> shardMap(Path dir) throws IOException {
        Path index = dir.resolve(INDEX);
        if (Files.isRegularFile(index)) {
            JsonNode map = JSON.readTree(index.toFile()).get("weight_map");
            if (map == null || !map.isObject()) {
                throw new IOException(index + ": no 'weight_map' object");
            }
            Map<String, String> out = new LinkedHashMap<>();
            map.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
            for (String f : out.values()) {
                Path resolved = dir.resolve(f).normalize();
                if (!resolved.getParent().equals(dir.normalize())) {
                    throw new IOException(index + ": shard '" + f + "' is not a file of " + dir);
                }
            }
            return out;
        }
        if (Files.isRegularFile(dir.resolve(SINGLE))) {
            return Map.of();
        }
        if (Files.exists(dir.resolve("pytorch_model.bin")) || Files.exists(dir.resolve("pytorch_model.bin.index.json"))) {
            throw new IOException(dir + " holds pickled PyTorch weights (pytorch_model.bin), which this suite"
                    + " never unpickles; convert them to safetensors first (transformers: "
                    + "model.save_pretrained(dir, safe_serialization=True))");
        }
        throw new IOException(dir + ": neither " + SINGLE + " nor " + INDEX + " found");
    }

    private static void checkNoStrangers(Path dir, LlamaConfig config, Map<String, SafetensorsFile> files,
                                         Map<String, long[]> expected) throws SafetensorsFormatException {
        if (files.isEmpty()) {
            try {
                files.put(SINGLE, SafetensorsFile.open(dir.resolve(SINGLE)));
            } catch (SafetensorsFormatException e) {
                throw e;
            } catch (IOException e) {
                throw new SafetensorsFormatException(dir.resolve(SINGLE), null, e.getMessage());
            }
        }
        for (SafetensorsFile f : files.values()) {
            for (String name : f.entries().keySet()) {
                boolean harmless = name.endsWith(".rotary_emb.inv_freq")
                        || (config.tieWordEmbeddings() && name.equals("lm_head.weight"));
                if (!expected.containsKey(name) && !harmless) {
                    throw new SafetensorsFormatException(f.path(), name, "not a weight of the model config.json"
                            + " describes (" + config.numHiddenLayers() + " layers, tie_word_embeddings="
                            + config.tieWordEmbeddings() + "): does config.json belong to these weights?");
                }
            }
        }
    }

    /** Saves config and weights in the model's layout and stored dtype. */
    public static void save(LlamaModel model, Path dir) throws IOException {
        save(model.config(), model.weights(), model.layout(), dir);
    }

    public static void save(LlamaConfig config, Map<String, NDArray> weights, HfLayout layout, Path dir)
            throws IOException {
        Files.createDirectories(dir);
        ObjectNode cfg = config.raw().deepCopy();
        cfg.put("torch_dtype", layout.storedType().torchName());
        try (NDManager tmp = NDManager.newBaseManager(Device.cpu())) {
            Map<String, Map<String, NDArray>> byFile = new TreeMap<>();
            long total = 0;
            for (Map.Entry<String, NDArray> e : weights.entrySet()) {
                NDArray stored = Scopes.copy(e.getValue(), e.getValue().getDataType(), tmp);
                total += stored.size() * layout.storedType().size;
                String file = layout.sharded() ? layout.shards().getOrDefault(e.getKey(), null) : SINGLE;
                if (file == null) {
                    throw new IOException("no shard assigned to '" + e.getKey() + "' in the checkpoint layout");
                }
                byFile.computeIfAbsent(file, f -> new TreeMap<>()).put(e.getKey(), stored);
            }
            for (Map.Entry<String, Map<String, NDArray>> f : byFile.entrySet()) {
                SafetensorsWriter.write(dir.resolve(f.getKey()), f.getValue(), null, layout.storedType());
            }
            if (layout.sharded()) {
                ObjectNode index = JSON.createObjectNode();
                index.putObject("metadata").put("total_size", total);
                ObjectNode map = index.putObject("weight_map");
                new TreeMap<>(layout.shards()).forEach((k, v) -> {
                    if (weights.containsKey(k)) {
                        map.put(k, v);
                    }
                });
                AtomicFiles.writeString(dir.resolve(INDEX), JSON.writeValueAsString(index) + "\n");
            } else {
                Files.deleteIfExists(dir.resolve(INDEX));
            }
        }
        AtomicFiles.writeString(dir.resolve("config.json"), JSON.writeValueAsString(cfg) + "\n");
    }

    /**
     * A new model with the initialisation of {@code transformers} (normal(0, initializer_range) for
     * embeddings and projections, ones for norms), drawn from a seeded generator so the same seed
     * gives the same weights everywhere.
     */
    public static LlamaModel init(LlamaConfig config, long seed, Device device, DataType computeType) {
        double std = config.raw().path("initializer_range").asDouble(0.02);
        SplittableRandom rng = new SplittableRandom(seed);
        NDManager manager = NDManager.newBaseManager(device);
        Map<String, NDArray> weights = new LinkedHashMap<>();
        for (Map.Entry<String, long[]> e : config.weightShapes().entrySet()) {
            long[] shape = e.getValue();
            int n = (int) Arrays.stream(shape).reduce(1, (a, b) -> a * b);
            float[] data = new float[n];
            if (e.getKey().endsWith("norm.weight")) {
                Arrays.fill(data, 1f);
            } else {
                for (int i = 0; i < n; i++) {
                    data[i] = (float) (gaussian(rng) * std);
                }
            }
            try (NDManager tmp = NDManager.newBaseManager(Device.cpu())) {
                NDArray a = tmp.create(data, new Shape(shape));
                a.setName(e.getKey());
                weights.put(e.getKey(), Scopes.copy(a, computeType, manager));
            }
        }
        return new LlamaModel(config, manager, weights, computeType, HfLayout.single(TensorDType.F32));
    }

    /** Box–Muller on a {@link SplittableRandom}: portable, unlike {@code Random.nextGaussian} across JDKs;
     * StrictMath gives the same bits on every JVM and CPU, where Math may use a CPU-specific intrinsic. */
    public static double gaussian(SplittableRandom rng) {
        double u1 = rng.nextDouble();
        double u2 = rng.nextDouble();
        return Math.sqrt(-2 * StrictMath.log(1 - u1)) * StrictMath.cos(2 * Math.PI * u2);
    }
}
