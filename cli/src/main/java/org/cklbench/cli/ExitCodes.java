package org.cklbench.cli;

import picocli.CommandLine;

import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The exit codes of every ckl command, picocli's convention (0 success, 1 software error, 2 usage
 * error) plus the one of a stop on request; listed in every --help.
 */
final class ExitCodes {
    static final int OK = CommandLine.ExitCode.OK;
    static final int FAILED = CommandLine.ExitCode.SOFTWARE;
    static final int USAGE = CommandLine.ExitCode.USAGE;
    /** 128 + SIGTERM: what a shell reports for a process ended by SIGTERM. */
    static final int STOPPED = 143;

    private ExitCodes() {
    }

    static Map<String, String> list() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put(" " + OK, "success (a run that was already complete is printed again)");
        m.put(" " + FAILED, "the command was understood but failed: a file or folder it names, a run or a check"
                + " (the message says which)");
        m.put(" " + USAGE, "usage error: an unknown, missing or conflicting option, or a value the command does not"
                + " accept (an unknown method, preset, setting or device, say)");
        m.put(String.valueOf(STOPPED), "stopped on request (SIGTERM or Ctrl-C); a run keeps its checkpoint for --resume");
        return m;
    }

    /** Lists the codes in the --help of {@code cl} and all its subcommands. */
    static void document(CommandLine cl) {
        cl.getCommandSpec().usageMessage().exitCodeListHeading("%nExit codes:%n").exitCodeList(list());
        cl.getSubcommands().values().forEach(ExitCodes::document);
    }

    /** Prints a usage error the way every ckl error is printed, with where to read more; returns 2. */
    static int usage(String message, CommandLine where, PrintWriter err) {
        err.println("ckl: error: " + message);
        tryHelp(where, err);
        return USAGE;
    }

    /**
     * picocli's message of a usage error without its "Error: " (ckl's own prefix says it), and its
     * "expected only one match but got (A | B)={a} and (A | B)={b}" of options given together that exclude
     * each other said plainly.
     */
    static String picocliMessage(String message) {
        String m = message == null ? "" : message.replaceFirst("^Error: ", "");
        java.util.regex.Matcher both = ONE_OF.matcher(m);
        if (both.matches()) {
            return "give one of " + both.group(1) + ", not several: got " + both.group(2) + " and " + both.group(3);
        }
        return m;
    }

    private static final java.util.regex.Pattern ONE_OF =
            java.util.regex.Pattern.compile("expected only one match but got (\\(.*\\))=\\{(.*)\\} and \\1=\\{(.*)\\}");

    static void tryHelp(CommandLine where, PrintWriter err) {
        if (where != null) {
            err.println("Try '" + where.getCommandSpec().qualifiedName() + " --help' for more information.");
        }
        err.flush();
    }
}
