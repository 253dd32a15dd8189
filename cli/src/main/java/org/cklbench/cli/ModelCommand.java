package org.cklbench.cli;

import ai.djl.Device;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import me.tongfei.progressbar.ProgressBar;
import org.cklbench.engine.scoring.SequenceScorer;
import org.cklbench.io.JsonLines;
import org.cklbench.engine.safetensors.SafetensorsFile;
import org.cklbench.engine.lora.LoraAdapter;
import org.cklbench.engine.model.HfModels;
import org.cklbench.engine.model.ForwardHooks;
import org.cklbench.engine.model.LlamaConfig;
import org.cklbench.engine.model.LlamaModel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;

@Command(name = "model", mixinStandardHelpOptions = true, description = "Inspect and score Hugging Face Llama checkpoints.",
        subcommands = {ModelCommand.Info.class, ModelCommand.Nll.class})
final class ModelCommand {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Command(name = "info", mixinStandardHelpOptions = true,
            description = "Configuration, parameter count, stored dtypes and size of a checkpoint folder.")
    static final class Info implements Callable<Integer> {
        @Mixin
        ModelFolder checkpoint;

        @Option(names = "--json", description = "Print JSON instead of text.")
        boolean json;

        @Override
        public Integer call() throws Exception {
            Path model = checkpoint.model;
            LlamaConfig c = LlamaConfig.read(model);
            Map<String, Long> dtypes = new TreeMap<>();
            long bytes = 0;
            long stored = 0;
            List<Path> files;
            try (var s = Files.list(model)) {
                files = s.filter(p -> p.toString().endsWith(".safetensors")).sorted().toList();
            }
            for (Path f : files) {
                bytes += Files.size(f);
                for (SafetensorsFile.Entry e : SafetensorsFile.open(f).entries().values()) {
                    dtypes.merge(e.dtype().name(), e.numel(), Long::sum);
                    stored += e.numel();
                }
            }
            ObjectNode out = JSON.createObjectNode();
            out.put("model", model.toString());
            out.put("architecture", "LlamaForCausalLM");
            out.put("parameters", c.parameterCount());
            out.put("stored_values", stored);
            out.put("vocab_size", c.vocabSize());
            out.put("hidden_size", c.hiddenSize());
            out.put("intermediate_size", c.intermediateSize());
            out.put("layers", c.numHiddenLayers());
            out.put("attention_heads", c.numAttentionHeads());
            out.put("key_value_heads", c.numKeyValueHeads());
            out.put("rope_theta", c.ropeTheta());
            out.put("tie_word_embeddings", c.tieWordEmbeddings());
            out.put("max_position_embeddings", c.maxPositionEmbeddings());
            out.put("files", files.size());
            out.put("sharded", Files.exists(model.resolve(HfModels.INDEX)));
            out.put("size_bytes", bytes);
            out.set("dtypes", JSON.valueToTree(dtypes));
            out.put("tokenizer", Files.exists(model.resolve("tokenizer.json")));
            if (json) {
                System.out.println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(out));
            } else {
                out.fields().forEachRemaining(e -> System.out.printf("%-24s %s%n", e.getKey(),
                        e.getValue().isTextual() ? e.getValue().asText() : e.getValue().toString()));
            }
            return 0;
        }
    }

    @Command(name = "nll", mixinStandardHelpOptions = true,
            description = {"Per-token negative log-likelihood of token sequences, in float32.",
                "IN has one {\"input_ids\":[...]} per line (any lengths); OUT gets one {\"token_nll\":[...]} per " +
                "line, len(input_ids)-1 values of -log p(x[t+1] | x[<=t]), in input order."})
    static final class Nll implements Callable<Integer> {
        @Mixin
        AdaptedModel checkpoint;

        @Option(names = "--input", required = true, description = "JSONL of {\"input_ids\":[...]}.")
        Path input;

        @Option(names = "--out", required = true, description = "JSONL to write (atomically).")
        Path out;

        @Option(names = "--batch-size", defaultValue = "16", description = "Sequences per forward pass (default: ${DEFAULT-VALUE}).")
        int batchSize;

        @Mixin
        EngineOptions engine;

        @Override
        public Integer call() throws Exception {
            Path model = checkpoint.model();
            LlamaConfig config = LlamaConfig.read(model);
            List<long[]> seqs = new ArrayList<>();
            JsonLines.forEach(input, line -> {
                JsonNode ids = line.require("input_ids");
                if (!ids.isArray() || ids.isEmpty()) {
                    throw line.error("input_ids must be a non-empty array of token ids");
                }
                long[] s = new long[ids.size()];
                for (int i = 0; i < s.length; i++) {
                    JsonNode v = ids.get(i);
                    if (!v.canConvertToLong() || !v.isIntegralNumber()) {
                        throw line.error("input_ids[" + i + "] is not an integer");
                    }
                    s[i] = v.asLong();
                    if (s[i] < 0 || s[i] >= config.vocabSize()) {
                        throw line.error("input_ids[" + i + "] = " + s[i] + " is outside the vocabulary [0, "
                                + config.vocabSize() + ")");
                    }
                }
                seqs.add(s);
            });
            Device device = engine.device();
            List<float[]> nll;
            try (LlamaModel m = HfModels.load(model, device, engine.computeType(device));
                 LoraAdapter lora = checkpoint.loadAdapter(m);
                 ProgressBar bar = Bars.bar("nll", seqs.size(), "seq")) {
                ForwardHooks hooks = lora == null ? ForwardHooks.NONE : lora;
                nll = new SequenceScorer(m, hooks, batchSize).tokenNll(seqs, bar::stepBy);
            }
            List<Map<String, float[]>> rows = new ArrayList<>();
            for (float[] r : nll) {
                rows.add(Map.of("token_nll", r));
            }
            JsonLines.write(out, rows);
            System.err.println("wrote " + rows.size() + " lines to " + out);
            return 0;
        }
    }

}
