package org.cklbench.core.run;

import ai.djl.engine.Engine;
import org.cklbench.io.Hashing;
import org.cklbench.runfolder.InputFiles;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * Where a result came from: code (suite version, git commit), platform (Java, DJL, PyTorch, device)
 * and every input file by SHA-256. Recorded in {@code run.json} next to the resolved configuration.
 */
public final class Provenance {
    private Provenance() {
    }

    public static Map<String, Object> software(String device, String dtype) {
        Map<String, Object> o = new LinkedHashMap<>();
        String v = Provenance.class.getPackage().getImplementationVersion();
        o.put("suite_version", v == null ? "dev" : v);
        o.put("git_commit", gitCommit());
        o.put("java", System.getProperty("java.vendor") + " " + System.getProperty("java.runtime.version"));
        o.put("djl", Engine.getDjlVersion());
        o.put("pytorch", Engine.getEngine("PyTorch").getVersion());
        o.put("os", System.getProperty("os.name") + " " + System.getProperty("os.arch"));
        o.put("device", device);
        o.put("dtype", dtype);
        o.put("cpus", java.lang.Runtime.getRuntime().availableProcessors());
        return o;
    }

    /** SHA-256 of every file of each named input (a file or a folder). */
    public static Map<String, InputFiles> inputs(Map<String, Path> inputs) throws IOException {
        Map<String, InputFiles> o = new LinkedHashMap<>();
        for (Map.Entry<String, Path> e : inputs.entrySet()) {
            o.put(e.getKey(), new InputFiles(e.getValue().toAbsolutePath().toString(),
                    new TreeMap<>(Hashing.sha256Tree(e.getValue()))));
        }
        return o;
    }

    /**
     * The commit of the suite's source tree (the git repository around the running jar), with
     * "-dirty" when it has uncommitted changes; "unknown" outside a repository.
     */
    public static String gitCommit() {
        try {
            Path here = Path.of(Provenance.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            Path dir = here.toFile().isDirectory() ? here : here.getParent();
            String commit = git(dir, "rev-parse", "HEAD");
            if (commit == null) {
                return "unknown";
            }
            String status = git(dir, "status", "--porcelain", "--untracked-files=no");
            return status != null && !status.isBlank() ? commit + "-dirty" : commit;
        } catch (Exception e) {
            return "unknown";
        }
    }

    private static String git(Path dir, String... args) throws IOException, InterruptedException {
        String[] cmd = new String[args.length + 3];
        cmd[0] = "git";
        cmd[1] = "-C";
        cmd[2] = dir.toString();
        System.arraycopy(args, 0, cmd, 3, args.length);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
            return null;
        }
        return out;
    }
}
