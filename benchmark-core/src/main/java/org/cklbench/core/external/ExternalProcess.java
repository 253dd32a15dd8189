package org.cklbench.core.external;

import org.cklbench.core.run.Preemption;
import org.cklbench.text.Printable;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs an external method's command for one stage: no shell, standard input closed, standard output
 * and error into files, a time limit after which the process and every descendant are killed, and the
 * same when the suite is asked to stop (SIGTERM, Ctrl-C).
 */
final class ExternalProcess {
    /** Lines of standard error an error shows. */
    static final int TAIL_LINES = 20;

    private ExternalProcess() {
    }

    /** The command failed: {@code message} says how, for an error that names the stage. */
    static final class Failed extends Exception {
        Failed(String message) {
            super(message);
        }
    }

    static void run(List<String> command, Path workingDir, Map<String, String> env, int timeoutSeconds, Path stdout,
                    Path stderr) throws IOException, Failed {
        ProcessBuilder pb = new ProcessBuilder(command).directory(workingDir.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectOutput(stdout.toFile()).redirectError(stderr.toFile());
        pb.environment().putAll(env);
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new Failed("cannot start " + Printable.of(String.join(" ", command)) + " in "
                    + Printable.of(workingDir.toString()) + ": " + Printable.of(e.getMessage()));
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        try {
            while (!p.waitFor(200, TimeUnit.MILLISECONDS)) {
                if (Preemption.requested()) {
                    killTree(p);
                    // the last checkpoint is the previous stage's end: this stage runs again from scratch on resume
                    throw Preemption.checkpointed();
                }
                if (System.nanoTime() > deadline) {
                    killTree(p);
                    throw new Failed("ran past its time limit of " + timeoutSeconds + " s (--param timeout) and was"
                            + " killed with its child processes" + tail(stderr));
                }
            }
        } catch (InterruptedException e) {
            killTree(p);
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while the external method ran; it was killed", e);
        }
        if (p.exitValue() != 0) {
            throw new Failed("exited with status " + p.exitValue() + tail(stderr));
        }
    }

    /** Kills the process's descendants, then the process, and waits for it. */
    static void killTree(Process p) {
        List<ProcessHandle> all = new ArrayList<>(p.descendants().toList());
        p.destroyForcibly();
        all.forEach(ProcessHandle::destroyForcibly);
        try {
            p.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The last lines of {@code stderr}, as text to append to an error ("" when it is empty). */
    static String tail(Path stderr) {
        try (RandomAccessFile f = new RandomAccessFile(stderr.toFile(), "r")) {
            long len = f.length();
            int n = (int) Math.min(len, 8192);
            byte[] b = new byte[n];
            f.seek(len - n);
            f.readFully(b);
            String[] lines = new String(b, StandardCharsets.UTF_8).split("\r?\n");
            StringBuilder out = new StringBuilder();
            for (int i = Math.max(0, lines.length - TAIL_LINES); i < lines.length; i++) {
                out.append("\n    | ").append(Printable.of(lines[i]));
            }
            return n == 0 ? "; its standard error is empty" : "; the last lines of its standard error ("
                    + Printable.of(stderr.toString()) + "):" + out;
        } catch (IOException e) {
            return "";
        }
    }

    /**
     * The first line of {@code program --version} run in {@code dir} (standard output or error: Python 2
     * writes it to the latter), or a sentence saying why there is none.
     */
    static String version(String program, Path dir) {
        try {
            Process p = new ProcessBuilder(program, "--version").directory(dir.toFile()).redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
            byte[] out = p.getInputStream().readNBytes(4096);
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                killTree(p);
                return "unknown (" + program + " --version did not end within 10 s)";
            }
            String text = new String(out, StandardCharsets.UTF_8).strip();
            String first = text.isEmpty() ? "" : text.lines().findFirst().orElse("").strip();
            if (p.exitValue() != 0 || first.isEmpty()) {
                return "unknown (" + Printable.of(program) + " --version exited with " + p.exitValue() + ")";
            }
            return Printable.of(first);
        } catch (IOException e) {
            return "unknown (" + Printable.of(program) + " --version could not run)";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "unknown (interrupted)";
        }
    }
}
