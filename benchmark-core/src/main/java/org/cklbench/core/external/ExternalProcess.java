package org.cklbench.core.external;

import org.cklbench.core.run.Preemption;
import org.cklbench.text.Printable;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs an external method's command for one stage: no shell, standard input closed, standard output
 * and error into files, and every process the stage started ({@link StageProcesses}) killed when it
 * ends: at its time limit, when its logs outgrow {@link #LOG_LIMIT}, when the suite is asked to stop
 * (SIGTERM, Ctrl-C), and after the command exits, so that nothing of it still runs while the suite checks
 * and reads what it returned.
 */
final class ExternalProcess {
    /** Lines of standard error an error shows. */
    static final int TAIL_LINES = 20;
    /** Bytes a stage may write to each of its standard output and error (a tqdm bar for a day is ~100 MB). */
    static final long LOG_LIMIT = 1L << 30;

    private ExternalProcess() {
    }

    /** The command failed: {@code message} says how, for an error that names the stage. */
    static final class Failed extends Exception {
        Failed(String message) {
            super(message);
        }
    }

    /**
     * Runs {@code command} to its end; returns the processes it left running after it exited with status 0
     * (each "pid N (command line)"), which were killed.
     */
    static List<String> run(StageProcesses stage, List<String> command, Path workingDir, Map<String, String> env,
                            int timeoutSeconds, Path stdout, Path stderr, long logLimit) throws IOException, Failed {
        String missing = notExecutable(command.get(0), workingDir);
        if (missing != null) {
            // said here as the JVM would say it: through setsid, it would be setsid's exit status 127
            throw new Failed("cannot start " + Printable.of(String.join(" ", command)) + " in "
                    + Printable.of(workingDir.toString()) + ": " + missing);
        }
        ProcessBuilder pb = new ProcessBuilder(stage.command(command)).directory(workingDir.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectOutput(stdout.toFile()).redirectError(stderr.toFile());
        pb.environment().putAll(env);
        pb.environment().putAll(stage.environment());
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new Failed("cannot start " + Printable.of(String.join(" ", command)) + " in "
                    + Printable.of(workingDir.toString()) + ": " + Printable.of(e.getMessage()));
        }
        stage.started(p);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        try {
            while (!p.waitFor(200, TimeUnit.MILLISECONDS)) {
                if (Preemption.requested()) {
                    StageProcesses.Killed k = stage.killAll();
                    // the last checkpoint is the previous stage's end: this stage runs again from scratch on resume
                    throw Preemption.stopped((k.survivors().isEmpty() ? "with the external process killed"
                            : "with the external process killed but not all of its processes" + survivors(k))
                            + ": a resume runs this stage again from its start");
                }
                if (System.nanoTime() > deadline) {
                    String left = survivors(stage.killAll());
                    throw new Failed("ran past its time limit of " + timeoutSeconds + " s (--param timeout) and was"
                            + " killed with its child processes" + left + tail(stderr));
                }
                String big = tooLarge(stdout, stderr, logLimit);
                if (big != null) {
                    String left = survivors(stage.killAll());
                    throw new Failed("wrote more than " + logLimit + " bytes to " + big + " and was killed with its"
                            + " child processes" + left + tail(stderr));
                }
            }
        } catch (InterruptedException e) {
            String left = survivors(stage.killAll());
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while the external method ran; it was killed" + left, e);
        }
        StageProcesses.Killed k = stage.killAll();
        String left = k.found().isEmpty() ? "" : "; it left " + k.found().size() + " process(es) running, killed: "
                + String.join(", ", k.found()) + survivors(k);
        if (p.exitValue() != 0) {
            throw new Failed("exited with status " + p.exitValue() + left + tail(stderr));
        }
        if (!k.survivors().isEmpty()) {
            throw new Failed("exited with status 0" + left);
        }
        String big = tooLarge(stdout, stderr, logLimit);
        if (big != null) {
            throw new Failed("wrote more than " + logLimit + " bytes to " + big + left);
        }
        return k.found();
    }

    /** Why {@code program} cannot be run from {@code dir} (a path, or a name looked up on the PATH), or null. */
    static String notExecutable(String program, Path dir) {
        if (program.contains("/")) {
            Path f = dir.resolve(program);
            return Files.isRegularFile(f) && Files.isExecutable(f) ? null : "no executable file " + Printable.of(f.toString());
        }
        return org.cklbench.io.Executables.onPath(program).isPresent() ? null
                : Printable.of(program) + " is not a program on the PATH";
    }

    /** "" when every process died, else a sentence naming those that still run. */
    private static String survivors(StageProcesses.Killed k) {
        return k.survivors().isEmpty() ? "" : "; these could not be stopped within " + StageProcesses.KILL_WAIT_MS / 1000
                + " s and may still run: " + String.join(", ", k.survivors());
    }

    /** The log that holds more than {@code limit} bytes, named as in the stage's folder, or null. */
    private static String tooLarge(Path stdout, Path stderr, long limit) {
        for (Path log : List.of(stdout, stderr)) {
            long size;
            try {
                size = Files.readAttributes(log, java.nio.file.attribute.BasicFileAttributes.class,
                        java.nio.file.LinkOption.NOFOLLOW_LINKS).size();
            } catch (IOException gone) {
                continue; // the method removed its log (its own file): the stage's check of its folder says the rest
            }
            if (size > limit) {
                return (log == stdout ? "its standard output (" : "its standard error (") + log.getFileName() + ")";
            }
        }
        return null;
    }

    /**
     * Kills the process, then every descendant it had (listed before, so none is lost to re-parenting, and
     * again after, for any started meanwhile), and waits for it.
     */
    static void killTree(Process p) {
        List<ProcessHandle> all = new ArrayList<>(p.descendants().toList());
        p.destroyForcibly();
        all.forEach(ProcessHandle::destroyForcibly);
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        try {
            p.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The last lines of {@code stderr}, as text to append to an error ("" when it is empty). */
    static String tail(Path stderr) {
        if (!Files.isRegularFile(stderr, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            // a FIFO put in its place would block the read forever, a link would show another file
            return "; its standard error log " + Printable.of(stderr.toString()) + " was replaced by something other"
                    + " than a regular file";
        }
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
     * The first line of the interpreter's {@code --version} (standard output or error: Python 2 writes it to
     * the latter), run in {@code dir}, or a sentence saying why there is none. The interpreter is the
     * command's program, or where that is a script ({@code #!} on its first line), the program its first
     * line names: the script itself is never run for this.
     */
    static String version(String program, Path dir) {
        try {
            List<String> cmd = new ArrayList<>(interpreter(program, dir));
            cmd.add("--version");
            Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
            byte[] out = p.getInputStream().readNBytes(4096);
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                killTree(p);
                return "unknown (" + Printable.of(String.join(" ", cmd)) + " did not end within 10 s)";
            }
            String text = new String(out, StandardCharsets.UTF_8).strip();
            String first = text.isEmpty() ? "" : text.lines().findFirst().orElse("").strip();
            if (p.exitValue() != 0 || first.isEmpty()) {
                return "unknown (" + Printable.of(String.join(" ", cmd)) + " exited with " + p.exitValue() + ")";
            }
            return Printable.of(first);
        } catch (IOException e) {
            return "unknown (" + Printable.of(program) + " --version could not run)";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "unknown (interrupted)";
        }
    }

    /** {@code program}, or the interpreter line of the script it names. */
    static List<String> interpreter(String program, Path dir) throws IOException {
        if (!program.contains("/")) {
            return List.of(program); // found on the PATH: a program, not a script of the method's
        }
        Path file = dir.resolve(program);
        byte[] head;
        try (var in = Files.newInputStream(file)) {
            head = in.readNBytes(256);
        }
        String first = new String(head, StandardCharsets.UTF_8).lines().findFirst().orElse("");
        if (!first.startsWith("#!")) {
            return List.of(program);
        }
        List<String> words = new ArrayList<>(List.of(first.substring(2).strip().split("\\s+")));
        if (words.isEmpty() || words.get(0).isEmpty()) {
            throw new IOException(program + " starts with #! and no interpreter");
        }
        return words;
    }
}
