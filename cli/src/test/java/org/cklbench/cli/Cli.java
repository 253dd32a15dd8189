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
