package org.cklbench.site;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.cklbench.io.Hashing;
import org.cklbench.runfolder.InputFiles;
import org.cklbench.runfolder.MethodInfo;
import org.cklbench.runfolder.Json;
import org.cklbench.runfolder.RunConfig;
import org.cklbench.runfolder.RunProvenance;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * What a leaderboard groups runs by: what changes their results, never where files were or how the
 * machine was asked to run. A board is a benchmark, a preset, the base model's weights and the world
 * (the data the benchmark read), each by content hash from the run's provenance; a row is a method with
 * its parameters, the settings, device and dtype on that board. Left out on purpose: the seed (seeds
 * are a row's replicates), the model's and the data's paths (two copies of one base are one row, two
 * bases at one path are two), and the thread count, which cannot change a result under pinned
 * arithmetic. The run id (RunConfig's hash) still holds paths and threads; this key is the site's own.
 */
final class RowKeys {
    private static final ObjectMapper JSON = new ObjectMapper();
    /**
     * Files of a model folder that make its weights what they are: tensors, the architecture, the
     * tokenizer. Not the rest (pretraining.json of a world's base records the seconds it took, a README
     * its prose), which would split one base into rows whenever it is rebuilt.
     */
    private static final Pattern WEIGHT_FILE = Pattern.compile(
            "(.*/)?([^/]*\\.(safetensors|bin|pt|pth|ckpt|gguf|npz)|config\\.json|generation_config\\.json"
                    + "|tokenizer[^/]*|special_tokens_map\\.json|added_tokens\\.json|vocab\\.[^/]+|merges\\.txt)");

    /**
     * Inputs only a method's preparation reads (Train-Attention's meta-training split): they change that
     * method's rows, not the world, and runs of other methods do not list them.
     */
    private static final java.util.Set<String> METHOD_INPUTS = java.util.Set.of("meta_training");

    private RowKeys() {
    }

    /** An input of the benchmark itself: not the model, not a method's ({@code <method>.<name>} or a preparation's). */
    static boolean ofTheWorld(String input) {
        return !input.equals("model") && !input.contains(".") && !METHOD_INPUTS.contains(input);
    }

    /**
     * SHA-256 over the sorted relative names and hashes of the model's weight, configuration and
     * tokenizer files (all its files if none is such); null when provenance has no model.
     */
    static String weights(RunProvenance provenance) {
        InputFiles model = provenance == null || provenance.inputs() == null ? null : provenance.inputs().get("model");
        if (model == null || model.sha256() == null || model.sha256().isEmpty()) {
            return null;
        }
        SortedMap<String, String> kept = new TreeMap<>();
        model.sha256().forEach((name, sha) -> {
            if (WEIGHT_FILE.matcher(name.replace('\\', '/')).matches()) {
                kept.put(name.replace('\\', '/'), sha);
            }
        });
        return combined(kept.isEmpty() ? model.sha256() : kept);
    }

    /**
     * SHA-256 over every other input the benchmark read (its probes, corpora, splits), by input name,
     * file name and hash; inputs of a method (named {@code <method>.<parameter>}, or read only by its
     * preparation) belong to the row, not the world. Null when provenance lists none.
     */
    static String world(RunProvenance provenance) {
        if (provenance == null || provenance.inputs() == null) {
            return null;
        }
        SortedMap<String, String> all = new TreeMap<>();
        provenance.inputs().forEach((input, files) -> {
            if (ofTheWorld(input) && files != null && files.sha256() != null) {
                files.sha256().forEach((name, sha) -> all.put(input + "/" + name.replace('\\', '/'), sha));
            }
        });
        return all.isEmpty() ? null : combined(all);
    }

    /**
     * The row key: the configuration without seed, paths and threads, plus the board's hashes, and each
     * path parameter of a method by the hash of what it names rather than where it was.
     */
    static String row(RunConfig config, RunProvenance provenance, List<MethodInfo> methods) {
        ObjectNode o = JSON.createObjectNode();
        o.put("benchmark", config.benchmark());
        o.put("benchmark_version", config.benchmarkVersion());
        o.put("method", config.method());
        SortedMap<String, Object> params = new TreeMap<>();
        if (config.methodParams() != null) {
            params.putAll(config.methodParams());
        }
        // a parameter that follows the run's seed by default (a Train-Attention model's seed) varies with the seed, as
        // the seed itself does: at that default it is part of what the row's seeds sample, not of the row
        followingSeed(methods, config.method()).forEach(name -> {
            Object v = params.get(name);
            if (v instanceof Number n && n.longValue() == config.seed()) {
                params.remove(name);
            }
        });
        Map<String, InputFiles> inputs = provenance == null || provenance.inputs() == null ? Map.of() : provenance.inputs();
        inputs.forEach((input, files) -> {
            int dot = input.indexOf('.');
            if (dot > 0 && files != null && files.sha256() != null) {
                String name = params.containsKey(input) ? input
                        : input.substring(0, dot).equals(config.method()) ? input.substring(dot + 1) : null;
                if (name != null && params.containsKey(name)) {
                    params.put(name, "sha256:" + combined(files.sha256()));
                }
            }
        });
        o.set("method_params", JSON.valueToTree(params));
        // what a method read besides the world and its path parameters (the meta-training split), by content;
        // not what it prepared itself (<method>.<name>, no parameter of that name): that is made from the
        // configuration and the seed, both already in the key, and differs from seed to seed
        SortedMap<String, String> methodInputs = new TreeMap<>();
        inputs.forEach((input, files) -> {
            boolean prepared = input.indexOf('.') > 0 && !params.containsKey(input)
                    && !params.containsKey(input.substring(input.indexOf('.') + 1));
            if (!input.equals("model") && !ofTheWorld(input) && !prepared && files != null && files.sha256() != null) {
                methodInputs.put(input, combined(files.sha256()));
            }
        });
        o.set("method_inputs", JSON.valueToTree(methodInputs));
        o.put("preset", config.preset());
        o.set("settings", config.settings());
        o.put("device", config.device());
        o.put("dtype", config.dtype());
        String w = weights(provenance);
        String d = world(provenance);
        o.put("weights", w != null ? w : "path:" + config.model());
        o.put("world", d != null ? d : "path:" + config.data());
        return Hashing.sha256(Json.canonical(o)).substring(0, 12);
    }

    /**
     * Names, as {@code method_params} holds them, of the parameters whose recorded default is the run's
     * seed ({@code defaultValue} "seed"); a part of a composed method is named {@code <part>.<name>}.
     */
    static List<String> followingSeed(List<MethodInfo> methods, String method) {
        List<String> out = new ArrayList<>();
        if (methods == null) {
            return out;
        }
        boolean composed = methods.size() > 1 || (methods.size() == 1 && !methods.get(0).id().equals(method));
        for (MethodInfo m : methods) {
            if (m == null || m.parameters() == null) {
                continue;
            }
            for (MethodInfo.Parameter p : m.parameters()) {
                if (p != null && "seed".equals(p.defaultValue())) {
                    out.add(composed ? m.id() + "." + p.name() : p.name());
                }
            }
        }
        return out;
    }

    /** One SHA-256 over names and hashes, in name order. */
    static String combined(Map<String, String> files) {
        StringBuilder sb = new StringBuilder();
        new TreeMap<>(files).forEach((name, sha) -> sb.append(name).append('\t').append(sha).append('\n'));
        return Hashing.sha256(sb.toString());
    }
}
