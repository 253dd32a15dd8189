package org.cklbench.sweeps;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.cklbench.io.Hashing;
import org.cklbench.runfolder.RunFolder;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;

/**
 * One run of a sweep, fully resolved: the method parameters carry their defaults, paths are
 * absolute. Its {@link #id()} names the run folder under the sweep folder; it hashes everything that
 * changes the numbers, so the same grid entry always lands in the same folder and a changed one
 * never reuses another's.
 *
 * @param params   the parameters given in the grid (passed to {@code ckl run})
 * @param resolved every parameter of the method with defaults filled in (hashed into the id)
 * @param settings preset overrides ({@code ckl run --set})
 * @param threads  PyTorch CPU threads, 0 for PyTorch's choice
 */
public record SweepEntry(String benchmark, String method, String preset, long seed, Path model, Path data,
                         SortedMap<String, String> params, SortedMap<String, String> resolved,
                         SortedMap<String, String> settings, String device, String dtype, int threads) {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What determines the run's numbers, as canonical JSON. */
    public ObjectNode config() {
        ObjectNode c = JSON.createObjectNode();
        c.put("benchmark", benchmark);
        c.put("method", method);
        c.put("preset", preset);
        c.put("seed", seed);
        c.put("model", model == null ? null : model.toString());
        c.put("data", data == null ? null : data.toString());
        c.set("method_params", JSON.valueToTree(resolved));
        c.set("settings", JSON.valueToTree(settings));
        c.put("device", device);
        c.put("dtype", dtype);
        c.put("threads", threads);
        return c;
    }

    /** {@code <benchmark>_<method>_<preset>_s<seed>_<first 12 hex of the config's SHA-256>}. */
    public String id() {
        try {
            return benchmark + "_" + method + "_" + preset + "_s" + seed + "_"
                    + Hashing.sha256(RunFolder.canonical(config())).substring(0, 12);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The arguments of {@code ckl} that run this entry into {@code runDir} (resuming it there if interrupted). */
    public List<String> runArgs(Path runDir, Path plugins) {
        List<String> a = new ArrayList<>(List.of("run", "--benchmark", benchmark, "--method", method, "--preset", preset,
                "--seed", Long.toString(seed)));
        if (model != null) {
            a.addAll(List.of("--model", model.toString()));
        }
        if (data != null) {
            a.addAll(List.of("--data", data.toString()));
        }
        for (Map.Entry<String, String> e : params.entrySet()) {
            a.addAll(List.of("--param", e.getKey() + "=" + e.getValue()));
        }
        for (Map.Entry<String, String> e : settings.entrySet()) {
            a.addAll(List.of("--set", e.getKey() + "=" + e.getValue()));
        }
        a.addAll(List.of("--device", device));
        if (dtype != null) {
            a.addAll(List.of("--dtype", dtype));
        }
        if (threads > 0) {
            a.addAll(List.of("--threads", Integer.toString(threads)));
        }
        if (plugins != null) {
            a.addAll(List.of("--plugins", plugins.toString()));
        }
        a.addAll(List.of("--run-dir", runDir.toString()));
        return a;
    }
}
