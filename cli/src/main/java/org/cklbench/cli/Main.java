package org.cklbench.cli;

import org.cklbench.core.run.Preemption;
import org.cklbench.text.Printable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import org.cklbench.io.ArithmeticPin;

import java.io.IOException;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** {@code ckl}: the command-line face of CKL Bench. */
@Command(name = "ckl", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "CKL Bench: benchmarks for continual knowledge learning of language models.",
        subcommands = {QuickstartCommand.class, RunCommand.class, VerifyCommand.class, SubmitCommand.class, BenchmarksCommand.class, MethodsCommand.class, LamaCklCommand.class,
            DatasetsCommand.class,
            PretrainCommand.class, TaalmCommand.class, TemporalWikiCommand.class, SiteCommand.class, SweepCommand.class,
            ModelCommand.class, BenchCommand.class, StagesCommand.class,
            CommandLine.HelpCommand.class},
        footer = {"", "Environment: CKL_HOME (default ~/.cache/ckl) holds downloads, generated worlds and cached models;"
                + " CKL_DEBUG=1 prints stack traces on errors.", "",
                "Start with ckl quickstart, or ckl run --benchmark lama-ckl --method finetune --preset smoke;"
                + " README.md and docs/ say the rest."})
public final class Main implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    public static void main(String[] args) {
        if (!ArithmeticPin.inForce() && !ArithmeticPin.optedOut()) {
            // started without ./ckl (java -cp ..., a container's entry point): libtorch is not loaded yet,
            // but the variables it reads can only be set for a new process
            System.exit(again(args));
        }
        System.exit(execute(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** This JVM's command line again, with the pinned arithmetic in its environment; its exit code. */
    private static int again(String[] args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName()));
        cmd.addAll(Arrays.asList(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).inheritIO();
        ArithmeticPin.apply(pb.environment());
        try {
            Process p = pb.start();
            // a stop asked of this process (SIGTERM, Ctrl-C) is passed on, and the child given time to checkpoint
            Thread stop = new Thread(() -> {
                p.destroy();
                try {
                    p.waitFor();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "ckl-pinned-child");
            java.lang.Runtime.getRuntime().addShutdownHook(stop);
            int rc = p.waitFor();
            java.lang.Runtime.getRuntime().removeShutdownHook(stop);
            return rc;
        } catch (IOException e) {
            System.err.println("ckl: error: cannot start " + cmd.get(0) + " with the pinned arithmetic: " + e.getMessage());
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        }
    }

    /** The command tree, its --help listing the exit codes. */
    static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        ExitCodes.document(cl);
        return cl;
    }

    /** Runs a command line; returns the exit code (tests call this directly). */
    public static int execute(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cl = commandLine();
        cl.setOut(out);
        cl.setErr(err);
        cl.setParameterExceptionHandler((ex, given) -> {
            // one line and where to read more, as for the suite's own usage errors, not the whole --help
            CommandLine where = ex.getCommandLine();
            err.println("ckl: error: " + org.cklbench.text.Printable.of(ExitCodes.picocliMessage(ex.getMessage())));
            CommandLine.UnmatchedArgumentException.printSuggestions(ex, err);
            ExitCodes.tryHelp(where, err);
            return ExitCodes.USAGE;
        });
        cl.setExecutionExceptionHandler((ex, line, parsed) -> {
            if (stoppedOnRequest(ex)) {
                // the JVM is halting; Preemption's shutdown hook has already said so
                return ExitCodes.STOPPED;
            }
            if (System.getenv("CKL_DEBUG") != null) {
                ex.printStackTrace(err);
            }
            // an input a preset needs and the command line did not give (--model for paper) is a missing option
            if (ex instanceof UsageError || ex instanceof org.cklbench.core.benchmark.InputNotGiven) {
                return ExitCodes.usage(org.cklbench.text.Printable.of(ErrorMessages.of(ex)), line, err);
            }
            err.println("ckl: error: " + noGpu(ex, parsed).map(org.cklbench.text.Printable::of)
                    .orElseGet(() -> ErrorMessages.printable(ex)));
            err.flush();
            return ExitCodes.FAILED;
        });
        try {
            return cl.execute(args);
        } catch (OutOfMemoryError | StackOverflowError | LinkageError | java.util.ServiceConfigurationError e) {
            // picocli hands only Exceptions to the handler; these come from inputs or plugin jars, not from a bug here
            if (System.getenv("CKL_DEBUG") != null) {
                e.printStackTrace(err);
            }
            err.println("ckl: error: " + org.cklbench.text.Printable.of(ErrorMessages.of(e)));
            err.flush();
            return ExitCodes.FAILED;
        }
    }

    /**
     * The message of a GPU that is not there, with --device as typed: the option's converter made cuda gpu, and
     * "--device gpu" would answer a user who typed cuda.
     */
    private static java.util.Optional<String> noGpu(Throwable ex, CommandLine.ParseResult parsed) {
        for (Throwable t = ex; t != null; t = t.getCause()) {
            if (t instanceof org.cklbench.engine.djl.PyTorchEngine.NoGpu) {
                for (CommandLine.ParseResult p = parsed; p != null; p = p.subcommand()) {
                    CommandLine.Model.OptionSpec o = p.matchedOption("--device");
                    if (o != null && !o.originalStringValues().isEmpty()) {
                        List<String> given = o.originalStringValues();
                        return java.util.Optional.of(org.cklbench.engine.djl.PyTorchEngine.NoGpu.message(
                                given.get(given.size() - 1)));
                    }
                }
                return java.util.Optional.empty();
            }
        }
        return java.util.Optional.empty();
    }

    private static boolean stoppedOnRequest(Throwable ex) {
        for (Throwable t = ex; t != null; t = t.getCause()) {
            if (t instanceof Preemption.Stopped) {
                return true;
            }
        }
        return false;
    }

    /** The suite's version and the commit it was built from: the same two that every run.json records. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"ckl-bench " + version() + ", commit " + org.cklbench.core.run.Provenance.gitCommit()};
        }

        static String version() {
            return org.cklbench.core.run.Provenance.suiteVersion();
        }
    }
}
