package org.cklbench.core.run;

import ai.djl.engine.Engine;
import org.cklbench.io.HashCache;
import org.cklbench.runfolder.InputFiles;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.Properties;

/**
 * Where a result came from: code (suite version, git commit), platform (Java, DJL, PyTorch, device)
 * and every input file by SHA-256. Recorded in {@code run.json} next to the resolved configuration.
 */
public final class Provenance {
    private Provenance() {
    }

    public static Map<String, Object> software(String device, String dtype) {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("suite_version", suiteVersion());
        o.put("git_commit", gitCommit());
        o.put("java", System.getProperty("java.vendor") + " " + System.getProperty("java.runtime.version"));
        o.put("djl", Engine.getDjlVersion());
        o.put("pytorch", Engine.getEngine("PyTorch").getVersion());
        o.put("os", System.getProperty("os.name") + " " + System.getProperty("os.arch"));
        o.put("device", device);
        o.put("dtype", dtype);
        o.put("cpu", cpuModel());
        o.put("cpus", java.lang.Runtime.getRuntime().availableProcessors());
        // the kernels and thread count the numbers were computed with ("pinned v1 ATEN_CPU_CAPABILITY=avx2
        // ...; intra-op threads 1"): what decides, on a CPU, whether a run again gives the same bytes
        o.put("arithmetic", org.cklbench.engine.djl.PyTorchEngine.arithmetic());
        return o;
    }

    /** The CPU's model name as Linux reports it, or "unknown". */
    public static String cpuModel() {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (l.startsWith("model name")) {
                    return l.substring(l.indexOf(':') + 1).trim();
                }
            }
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
        return "unknown";
    }

    /**
     * SHA-256 of the jar behind each origin ({@code file:} URLs of jars; a class folder or a built-in
     * has none), by the id it provides.
     */
    public static Map<String, String> codeSha256(Map<String, String> originsById) throws IOException {
        Map<String, String> out = new java.util.TreeMap<>();
        for (Map.Entry<String, String> e : originsById.entrySet()) {
            String origin = e.getValue();
            if (origin != null && origin.startsWith("file:") && origin.endsWith(".jar")) {
                Path jar = Path.of(java.net.URI.create(origin));
                if (Files.isRegularFile(jar)) {
                    out.put(e.getKey(), org.cklbench.io.Hashing.sha256(jar));
                }
            }
        }
        return out;
    }

    /** SHA-256 of every file of each named input (a file or a folder), through {@code hashes}. */
    public static Map<String, InputFiles> inputs(Map<String, Path> inputs, HashCache hashes) throws IOException {
        Map<String, InputFiles> o = new LinkedHashMap<>();
        for (Map.Entry<String, Path> e : inputs.entrySet()) {
            o.put(e.getKey(), new InputFiles(e.getValue().toAbsolutePath().toString(),
                    new TreeMap<>(e.getKey().equals("model") ? modelSha256(e.getValue(), hashes)
                            : hashes.sha256Tree(e.getValue()))));
        }
        return o;
    }

    /**
     * SHA-256 of the files of a model folder that the loader and tokenizer read (weights, config,
     * tokenizer), after checking the folder's shape: a README or a copy of the weights in another
     * format beside them is neither read nor hashed.
     */
    public static Map<String, String> modelSha256(Path dir, HashCache hashes) throws IOException {
        Map<String, String> out = new TreeMap<>();
        for (String f : org.cklbench.engine.model.ModelFolder.loaderFiles(dir)) {
            out.put(f, hashes.sha256(dir.resolve(f)));
        }
        return out;
    }

    /** The SHA-256 cache of a CKL_HOME: runs and sweeps sharing it hash each unchanged input once. */
    public static HashCache hashCache(Path home) {
        return new HashCache(home.resolve("cache").resolve("sha256"));
    }

    /**
     * The suite's version: the Maven project's, filtered into version.properties at build time (what
     * {@code ckl --version} prints too); "dev" from an unfiltered copy of the resources (an IDE's).
     */
    public static String suiteVersion() {
        try (InputStream in = Provenance.class.getResourceAsStream("version.properties")) {
            Properties p = new Properties();
            if (in != null) {
                p.load(in);
            }
            String v = p.getProperty("version", "");
            return v.isBlank() || v.contains("${") ? "dev" : v;
        } catch (IOException e) {
            return "dev";
        }
    }

    /** The commit the suite was built from, with "-dirty" for uncommitted changes; "unknown" if built outside git. */
    public static String gitCommit() {
        try (InputStream in = Provenance.class.getResourceAsStream("git.properties")) {
            if (in == null) {
                return "unknown";
            }
            Properties p = new Properties();
            p.load(in);
            String commit = p.getProperty("git.commit.id", "");
            if (!commit.matches("[0-9a-f]{40}")) {
                return "unknown";
            }
            return commit + (Boolean.parseBoolean(p.getProperty("git.dirty")) ? "-dirty" : "");
        } catch (IOException e) {
            return "unknown";
        }
    }
}
