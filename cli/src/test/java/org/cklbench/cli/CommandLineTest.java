package org.cklbench.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.cklbench.cli.Cli.ckl;

/** The command line as a careless user meets it: every --help answers, malformed ids are refused. */
class CommandLineTest {

    private static void collect(CommandLine cl, List<String> path, List<List<String>> out) {
        out.add(path);
        cl.getSubcommands().forEach((name, sub) -> {
            if (!name.equals("help") && sub.getCommandName().equals(name)) {
                List<String> p = new ArrayList<>(path);
                p.add(name);
                collect(sub, p, out);
            }
        });
    }

    /** {@code ckl datasets --help} was once refused; each command and subcommand answers --help with its usage. */
    @Test
    void everyCommandAnswersHelp() {
        List<List<String>> commands = new ArrayList<>();
        collect(new CommandLine(new Main()), List.of(), commands);
        assertThat(commands).hasSizeGreaterThan(15);
        for (List<String> c : commands) {
            List<String> args = new ArrayList<>(c);
            args.add("--help");
            Cli.Run r = ckl(args.toArray(String[]::new));
            assertThat(r.code()).as("ckl %s --help: %s", c, r.err()).isZero();
            assertThat(r.out()).as("ckl %s --help", c).contains("Usage:");
        }
    }

    /** The bench commands share their model options but not their default shapes. */
    @Test
    void benchCommandsKeepTheirOwnDefaultShapes() {
        BenchCommand.TrainStep step = new BenchCommand.TrainStep();
        new CommandLine(step).parseArgs();
        BenchModel m = step.model;
        assertThat(List.of(m.hidden, m.layers, m.heads, m.kvHeads, m.inter, m.vocab, m.threads))
                .containsExactly(256, 4, 8, 4, 688, 32000, 2);
        BenchCommand.Eval eval = new BenchCommand.Eval();
        new CommandLine(eval).parseArgs("--layers", "2", "--threads", "1");
        m = eval.model;
        assertThat(List.of(m.hidden, m.layers, m.heads, m.kvHeads, m.inter, m.vocab, m.threads))
                .containsExactly(128, 2, 4, 2, 512, 32000, 1);
    }

    @ParameterizedTest
    @ValueSource(strings = {"finetune+", "+finetune", "finetune++rho1", "finetune+finetune", "Finetune"})
    void malformedMethodIdsAreRefused(String method) {
        Cli.Run r = ckl("run", "--benchmark", "lama-ckl", "--method", method, "--preset", "smoke", "--out", "target/never");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).startsWith("ckl: error: ").contains(method);
    }

    @Test
    void anOutThatIsAFileIsNamed(@TempDir Path tmp) throws Exception {
        Path file = Files.writeString(tmp.resolve("notes.txt"), "mine");
        Cli.Run r = ckl("run", "--benchmark", "lama-ckl", "--method", "finetune", "--preset", "smoke", "--out",
                file.toString());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains(file.toString()).contains("is a file");
        assertThat(file).hasContent("mine");
    }

    /** The JDK's file exceptions carry only a path, its Errors nothing a user can act on. */
    @Test
    void errorsWithoutAMessageForUsersGetOne() {
        assertThat(ErrorMessages.of(new OutOfMemoryError("Java heap space"))).contains("out of Java heap memory")
                .contains("CKL_JAVA_OPTS");
        assertThat(ErrorMessages.of(new java.nio.file.FileAlreadyExistsException("/x/y"))).isEqualTo("/x/y already exists;"
                + " choose another path");
        assertThat(ErrorMessages.of(new java.nio.file.NoSuchFileException("/x/z"))).isEqualTo("/x/z does not exist");
        assertThat(ErrorMessages.of(new IllegalStateException("said well"))).isEqualTo("said well");
    }
}
