package org.cklbench.engine.lora;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * PEFT's {@code adapter_config.json} for LoRA. {@code target_modules} is a list of module-name
 * suffixes, a regular expression matched against the full module path (PEFT's rule for a string),
 * or {@code "all-linear"} (every projection of the decoder layers; never the LM head).
 */
public record LoraConfig(int r, double alpha, double dropout, List<String> targetModules, String targetRegex,
                         boolean useRslora, ObjectNode raw) {

    /** The seven projections of a Llama decoder layer, the only modules LoRA can wrap here. */
    public static final List<String> PROJECTIONS = List.of(
            "q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj");

    private static final ObjectMapper JSON = new ObjectMapper();

    public double scaling() {
        return useRslora ? alpha / Math.sqrt(r) : alpha / r;
    }

    /** Whether the projection at {@code module} (e.g. {@code model.layers.0.mlp.up_proj}) gets an adapter. */
    public boolean targets(String module) {
        if (targetRegex != null) {
            return Pattern.matches(targetRegex, module);
        }
        String leaf = module.substring(module.lastIndexOf('.') + 1);
        return targetModules.contains(leaf) || targetModules.contains(module);
    }

    public static LoraConfig of(int r, double alpha, double dropout, List<String> targets) {
        ObjectNode o = JSON.createObjectNode();
        o.put("peft_type", "LORA");
        o.put("task_type", "CAUSAL_LM");
        o.put("r", r);
        o.put("lora_alpha", alpha);
        o.put("lora_dropout", dropout);
        o.put("bias", "none");
        o.put("fan_in_fan_out", false);
        var t = o.putArray("target_modules");
        targets.forEach(t::add);
        return parse(o, "new LoRA config");
    }

    public static LoraConfig read(Path dir) throws IOException {
        Path f = dir.resolve("adapter_config.json");
        if (!f.toFile().isFile()) {
            throw new IOException("no adapter_config.json in " + dir + ": an adapter folder is what PEFT's"
                    + " save_pretrained writes");
        }
        return parse(JSON.readTree(f.toFile()), f.toString());
    }

    public static LoraConfig parse(JsonNode node, String source) {
        List<String> problems = new ArrayList<>();
        String type = node.path("peft_type").asText("LORA");
        if (!type.equals("LORA")) {
            problems.add("peft_type " + type + " (only LORA)");
        }
        if (!node.path("bias").asText("none").equals("none")) {
            problems.add("bias '" + node.path("bias").asText() + "' (only 'none')");
        }
        if (node.path("use_dora").asBoolean(false)) {
            problems.add("use_dora=true");
        }
        if (node.path("fan_in_fan_out").asBoolean(false)) {
            problems.add("fan_in_fan_out=true (that is for GPT-2's Conv1D, not Llama)");
        }
        for (String f : List.of("modules_to_save", "layers_to_transform", "rank_pattern", "alpha_pattern")) {
            JsonNode n = node.get(f);
            if (n != null && !n.isNull() && !(n.isContainerNode() && n.isEmpty())) {
                problems.add(f + " is set (not implemented)");
            }
        }
        int r = node.path("r").asInt(0);
        if (r <= 0) {
            problems.add("r must be positive");
        }
        JsonNode targets = node.get("target_modules");
        List<String> list = new ArrayList<>();
        String regex = null;
        if (targets == null || targets.isNull()) {
            problems.add("target_modules is missing");
        } else if (targets.isTextual()) {
            if (targets.asText().equals("all-linear")) {
                list.addAll(PROJECTIONS);
            } else {
                regex = targets.asText();
            }
        } else {
            Set<String> seen = new LinkedHashSet<>();
            targets.forEach(t -> seen.add(t.asText()));
            for (String t : seen) {
                String leaf = t.substring(t.lastIndexOf('.') + 1);
                if (!PROJECTIONS.contains(leaf)) {
                    problems.add("target module '" + t + "' is not a decoder projection (" + PROJECTIONS + ")");
                }
            }
            list.addAll(seen);
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(source + ": unsupported LoRA adapter: " + String.join("; ", problems));
        }
        return new LoraConfig(r, node.path("lora_alpha").asDouble(8), node.path("lora_dropout").asDouble(0),
                List.copyOf(list), regex, node.path("use_rslora").asBoolean(false), ((ObjectNode) node).deepCopy());
    }
}
