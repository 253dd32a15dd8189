package org.cklbench.sweeps;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The Slurm client commands the sweep needs ({@code sbatch}, {@code squeue}, {@code sacct}), run as
 * processes: they are the cluster's interface, and they read the cluster's own configuration
 * ({@code SLURM_CONF}) from the environment.
 */
public final class Slurm {
    /** A finished command. */
    public record Result(int code, String out, String err) {
    }

    /** Submits {@code script} with extra sbatch arguments; returns the job id. */
    public String submit(Path script, List<String> args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("sbatch", "--parsable"));
        cmd.addAll(args);
        cmd.add(script.toString());
        Result r = exec(cmd);
        if (r.code() != 0) {
            throw new IOException("sbatch refused " + script + " (exit " + r.code() + "): " + r.err().strip());
        }
        // --parsable prints "<job id>" or "<job id>;<cluster>"
        String id = r.out().strip().split(";")[0];
        if (!id.matches("\\d+")) {
            throw new IOException("sbatch printed '" + r.out().strip() + "', not a job id");
        }
        return id;
    }

    /**
     * The queued and running jobs among {@code jobIds}, one entry per array task ({@code <job>_<index>})
     * or plain job, with its state (PENDING, RUNNING, COMPLETING, ...). Finished jobs are absent.
     */
    public Map<String, String> queue(Collection<String> jobIds) throws IOException {
        Map<String, String> out = new LinkedHashMap<>();
        if (jobIds.isEmpty()) {
            return out;
        }
        Result r = exec(List.of("squeue", "--noheader", "--array", "--jobs=" + String.join(",", jobIds),
                "--format=%i|%T"));
        if (r.code() != 0) {
            if (r.err().contains("Invalid job id")) {
                return out; // none of them is known any more: all finished long ago
            }
            throw new IOException("squeue failed (exit " + r.code() + "): " + r.err().strip());
        }
        for (String line : r.out().split("\n")) {
            String[] f = line.strip().split("\\|");
            if (f.length == 2) {
                out.put(f[0], f[1]);
            }
        }
        return out;
    }

    /**
     * The final states of {@code jobIds}' tasks from {@code sacct} ({@code <job>_<index>} → e.g.
     * "FAILED 1:0", "CANCELLED", "TIMEOUT"); empty when the cluster keeps no accounting.
     */
    public Optional<Map<String, String>> accounting(Collection<String> jobIds) throws IOException {
        if (jobIds.isEmpty()) {
            return Optional.of(Map.of());
        }
        Result r;
        try {
            r = exec(List.of("sacct", "--noheader", "--parsable2", "--allocations", "--jobs=" + String.join(",", jobIds),
                    "--format=JobID,State,ExitCode"));
        } catch (IOException e) {
            return Optional.empty();
        }
        if (r.code() != 0) {
            return Optional.empty();
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (String line : r.out().split("\n")) {
            String[] f = line.strip().split("\\|");
            if (f.length == 3) {
                out.put(f[0], f[1] + ("0:0".equals(f[2]) ? "" : " " + f[2]));
            }
        }
        return Optional.of(out);
    }

    /** Whether {@code command} is on the PATH. */
    public static boolean available(String command) {
        return org.cklbench.io.Executables.onPath(command).isPresent();
    }

    static Result exec(List<String> cmd) throws IOException {
        if (!available(cmd.get(0))) {
            throw new IOException(cmd.get(0) + " is not on the PATH: the Slurm executor runs where the Slurm client"
                    + " commands are (a login node); use --executor local elsewhere");
        }
        Process p = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .start();
        try {
            // read both streams fully before waiting: a full pipe would stall the command
            var err = java.util.concurrent.CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
            String out = read(p.getInputStream());
            if (!p.waitFor(5, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", cmd) + " did not answer in 5 minutes");
            }
            return new Result(p.exitValue(), out, err.join());
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running " + cmd.get(0), e);
        }
    }

    private static String read(java.io.InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
