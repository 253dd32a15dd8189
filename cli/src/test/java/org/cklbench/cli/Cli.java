package org.cklbench.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

/** Runs the tool in-process, with a CKL_HOME shared by this module's tests (so preset data is made once). */
final class Cli {
    record Run(int code, String out, String err) {
    }

    static final Path HOME = Path.of("target", "ckl-home").toAbsolutePath();

    private Cli() {
    }

    static Run ckl(String... args) {
        System.setProperty("ckl.home", HOME.toString());
        StringWriter err = new StringWriter();
        java.io.ByteArrayOutputStream stdout = new java.io.ByteArrayOutputStream();
        java.io.PrintStream old = System.out;
        int code;
        try {
            System.setOut(new java.io.PrintStream(stdout, true));
            code = Main.execute(args, new PrintWriter(System.out, true), new PrintWriter(err, true));
        } finally {
            System.setOut(old);
        }
        return new Run(code, stdout.toString(), err.toString());
    }

    /**
     * Starts the tool in a process of its own (the JVM running the tests, its class path, this module's
     * CKL_HOME), its output and errors into {@code log}. The arithmetic is pinned already, so that the process
     * started is the command itself (Main would otherwise start itself again) and a signal reaches it.
     */
    static Process start(Path log, String... args) throws IOException {
        return start(log, java.util.List.of(), args);
    }

    /** The same with system properties of its own ({@code -Dname=value}, say a java.io.tmpdir of the test's). */
    static Process start(Path log, java.util.List<String> properties, String... args) throws IOException {
        java.util.List<String> cmd = new java.util.ArrayList<>(java.util.List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), "-Dckl.home=" + HOME,
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=error"));
        cmd.addAll(properties);
        cmd.add(Main.class.getName());
        cmd.addAll(java.util.List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().remove("CKL_LAUNCHER");
        org.cklbench.io.ArithmeticPin.apply(pb.environment());
        return pb.start();
    }

    /** The one run folder under {@code out}. */
    static Path onlyRun(Path out) throws IOException {
        try (var s = Files.list(out)) {
            return s.filter(Files::isDirectory).reduce((a, b) -> {
                throw new AssertionError("more than one run folder in " + out);
            }).orElseThrow();
        }
    }

    /** The one run folder under {@code out} whose name starts with {@code prefix}. */
    static Path onlyRunMatching(Path out, String prefix) throws IOException {
        try (var s = Files.list(out)) {
            return s.filter(p -> p.getFileName().toString().startsWith(prefix)).findFirst().orElseThrow();
        }
    }
}
