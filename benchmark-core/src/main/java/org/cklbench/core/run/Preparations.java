package org.cklbench.core.run;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.cklbench.core.benchmark.Benchmark;
import org.cklbench.core.benchmark.BenchmarkInputs;
import org.cklbench.core.benchmark.MetaExample;
import org.cklbench.core.method.MethodRegistry;
import org.cklbench.core.method.Preparation;
import org.cklbench.core.method.ResolvedMethod;
import org.cklbench.io.FileLocks;
import org.cklbench.io.HashCache;
import org.cklbench.io.Hashing;
import org.cklbench.progress.Progress;
import org.cklbench.runfolder.Json;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs the {@link Preparation}s of a run's methods, each once per distinct input: the result lives in
 * {@code CKL_HOME/prepared/<method>-<name>-<key>/}, the key being the SHA-256 of the method, the
 * preparation's settings, the base model's files and the meta-training split. A file {@code done}
 * (naming the result folder) marks it finished; an interrupted preparation is run again in the same
 * folder, so one that checkpoints resumes. Runs sharing CKL_HOME wait for each other.
 */
public final class Preparations {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String DONE = "done";

    private Preparations() {
    }

    /**
     * Prepares what {@code method} needs; returns the result folder by method id, and adds each result
     * (as {@code <method>.<name>}) and the split it was made from (as {@code meta_training}) to
     * {@code inputs}, so the run's provenance hashes them.
     */
    public static Map<String, Path> run(ResolvedMethod method, MethodRegistry methods, Benchmark benchmark,
                                        BenchmarkInputs in, String device, Path home, Map<String, Path> inputs,
                                        Progress progress) throws IOException {
        Map<String, Path> out = new LinkedHashMap<>();
        HashCache hashes = Provenance.hashCache(home);
        for (Map.Entry<String, Preparation> e : methods.preparations(method).entrySet()) {
            String id = e.getKey();
            Preparation prep = e.getValue();
            if (in.metaTraining() == null) {
                throw new IllegalArgumentException(id + " prepares on the benchmark's meta-training split, and the data"
                        + " of this " + benchmark.id() + " run has none; give the method a prepared result instead"
                        + " (see ckl methods), or data with a meta-training split (see docs/usage.md)");
            }
            ObjectNode key = JSON.createObjectNode();
            key.put("method", id);
            key.put("preparation", prep.name());
            key.set("settings", prep.settings());
            key.set("model", JSON.valueToTree(Provenance.modelSha256(in.model(), hashes)));
            key.put("split", hashes.sha256(in.metaTraining()));
            // a preparation trained under other arithmetic (before the pin, or another pin) is not reused
            key.put("arithmetic_pin", org.cklbench.io.ArithmeticPin.VERSION);
            for (Map.Entry<String, Path> extra : prep.inputs().entrySet()) {
                key.set(extra.getKey(), JSON.valueToTree(hashes.sha256Tree(extra.getValue())));
            }
            String name = id + "-" + prep.name() + "-" + Hashing.sha256(Json.canonical(key)).substring(0, 12);
            Path root = Files.createDirectories(home.resolve("prepared"));
            Path dir = root.resolve(name);
            Path result = finished(dir);
            if (result == null) {
                try (FileLocks.Held lock = FileLocks.acquire(root.resolve(name + ".lock"), progress::note)) {
                    result = finished(dir);
                    if (result == null) {
                        Files.createDirectories(dir);
                        Files.writeString(dir.resolve("inputs.json"),
                                JSON.writerWithDefaultPrettyPrinter().writeValueAsString(key), StandardCharsets.UTF_8);
                        List<MetaExample> split = benchmark.readMetaTraining(in.metaTraining());
                        result = prep.run(new Preparation.Context(in.model(), split, device, progress), dir);
                        if (!result.toAbsolutePath().normalize().startsWith(dir.toAbsolutePath().normalize())) {
                            throw new IllegalStateException(id + ": preparation " + prep.name() + " returned " + result
                                    + ", outside its folder " + dir);
                        }
                        Files.writeString(dir.resolve(DONE), dir.relativize(result) + "\n", StandardCharsets.UTF_8);
                    }
                }
            }
            out.put(id, result);
            inputs.put(id + "." + prep.name(), result);
            inputs.put("meta_training", in.metaTraining());
        }
        return out;
    }

    private static Path finished(Path dir) throws IOException {
        Path done = dir.resolve(DONE);
        if (!Files.isRegularFile(done)) {
            return null;
        }
        Path result = dir.resolve(Files.readString(done, StandardCharsets.UTF_8).strip()).normalize();
        return result.startsWith(dir.normalize()) && Files.exists(result) ? result : null;
    }
}
