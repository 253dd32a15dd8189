package org.cklbench.cli;

import org.cklbench.core.run.Provenance;
import org.cklbench.engine.djl.PyTorchEngine;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.cklbench.cli.Cli.ckl;

/** Exit codes as picocli has them (2 usage, 1 failure), and what --help and --version say. */
class ExitCodesAndHelpTest {

    private static void walk(CommandLine cl, List<CommandLine> out) {
        out.add(cl);
        cl.getSubcommands().forEach((name, sub) -> {
            if (!name.equals("help") && sub.getCommandName().equals(name)) {
                walk(sub, out);
            }
        });
    }

    private static List<CommandLine> everyCommand() {
        List<CommandLine> all = new ArrayList<>();
        CommandLine root = Main.commandLine();
        walk(root, all);
        return all;
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "an unknown option            | run --bogus                                                  | Unknown option: '--bogus'",
        "a value of the wrong type    | run --benchmark lama-ckl --method finetune --preset smoke --seed x | '--seed'",
        "missing required options     | run --benchmark lama-ckl                                      | --method=<method>, --preset=<preset>",
        "options that exclude each other | run --benchmark lama-ckl --method finetune --preset smoke --from x | give one of",
        "an unknown method id         | run --benchmark lama-ckl --method finetuen --preset smoke      | unknown method id 'finetuen'",
        "an unknown preset            | run --benchmark lama-ckl --method finetune --preset smok       | smok",
        "an unknown device            | run --benchmark lama-ckl --method finetune --preset smoke --device tpu | unknown device 'tpu'",
        "external with nothing to run | run --benchmark lama-ckl --method external --preset smoke      | neither was given",
        "external with both           | run --benchmark lama-ckl --method external --preset smoke --param command=x --param adapters=. | both were given",
        "a preset setting as a parameter | run --benchmark lama-ckl --method finetune --preset smoke --param lr=3 | lr is a preset setting: use --set lr=3",
        "an unknown dtype             | model nll --model m --input i --out o --dtype float8           | unknown --dtype 'float8'",
        "a sweep without its grid     | sweep --out x                                                 | needs --grid FILE",
        "submit without runs          | submit --out x.zip                                            | (--runs=<runs> | --unpack=BUNDLE.zip)",
        "taalm train without a split  | taalm train --model m --out o                                 | (--data=<data> | --split=<split>)",
    })
    void usageErrorsExit2WithOneLineAndWhereToReadMore(String what, String line, String message) {
        Cli.Run r = ckl(line.trim().split(" +"));
        assertThat(r.code()).as("%s: %s", what, r.err()).isEqualTo(2);
        String[] words = line.trim().split(" ");
        String command = "ckl " + words[0] + (words[0].equals("model") || words[0].equals("taalm") ? " " + words[1] : "");
        assertThat(r.err()).startsWith("ckl: error: ").contains(message)
                .contains("Try '" + command + " --help' for more information.")
                .doesNotContain("Error: ").doesNotContain("Usage:");
    }

    @Test
    void aFailureOnceTheCommandIsUnderstoodExits1(@TempDir Path tmp) {
        Cli.Run r = ckl("model", "info", "--model", tmp.toString());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).startsWith("ckl: error: no config.json in").doesNotContain("Try '");
        Cli.Run missing = ckl("run", "--benchmark", "lama-ckl", "--method", "finetune", "--preset", "smoke", "--model",
                tmp.resolve("nowhere").toString(), "--out", tmp.toString());
        assertThat(missing.code()).isEqualTo(1);
        assertThat(missing.err()).contains("--model " + tmp.resolve("nowhere") + " does not exist");
    }

    /** The paper preset generates no model or data: leaving --model out is a missing option (2), and leaves no folder. */
    @ParameterizedTest
    @CsvSource({"lama-ckl", "temporalwiki"})
    void thePaperPresetWithoutItsModelIsAUsageError(String benchmark, @TempDir Path tmp) throws Exception {
        Cli.Run r = ckl("run", "--benchmark", benchmark, "--method", "finetune", "--preset", "paper", "--out", tmp.toString());
        assertThat(r.code()).as(r.err()).isEqualTo(2);
        assertThat(r.err()).startsWith("ckl: error: preset 'paper' needs --model DIR")
                .contains("Try 'ckl run --help' for more information.");
        try (var left = Files.list(tmp)) {
            assertThat(left).isEmpty();
        }
    }

    /** An empty --scratch would be the current folder: refused before anything is read or run. */
    @Test
    void anEmptyScratchFolderIsAUsageError(@TempDir Path tmp) {
        Cli.Run r = ckl("verify", tmp.toString(), "--scratch", "");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("--scratch '' names no folder");
    }

    @Test
    void everyHelpListsTheExitCodes() {
        for (CommandLine c : everyCommand()) {
            String help = c.getUsageMessage();
            assertThat(help).as(c.getCommandSpec().qualifiedName()).contains("Exit codes:")
                    .containsPattern("(?m)^ +0 +success").containsPattern("(?m)^ +1 +the command was understood but failed")
                    .containsPattern("(?m)^ +2 +usage error");
        }
    }

    /**
     * An option that several commands take means one thing: it is declared once (a mixin) and says the same in
     * every command's help.
     */
    @Test
    void sharedOptionsSayTheSameEverywhere() {
        List<String> shared = List.of("--plugins", "--set", "--preset", "--adapter", "--device", "--dtype");
        java.util.Map<String, java.util.Set<String>> texts = new java.util.TreeMap<>();
        java.util.Map<String, Integer> uses = new java.util.TreeMap<>();
        for (CommandLine c : everyCommand()) {
            for (CommandLine.Model.OptionSpec o : c.getCommandSpec().options()) {
                if (shared.contains(o.longestName())) {
                    texts.computeIfAbsent(o.longestName(), k -> new java.util.TreeSet<>())
                            .add(String.join(" ", o.description()));
                    uses.merge(o.longestName(), 1, Integer::sum);
                }
            }
        }
        assertThat(texts.keySet()).containsExactlyInAnyOrderElementsOf(shared);
        texts.forEach((name, t) -> assertThat(t).as(name).hasSize(1));
        assertThat(uses.get("--plugins")).isGreaterThanOrEqualTo(9);
        assertThat(uses.get("--set")).isEqualTo(2);
    }

    /** `--help` is complete: every option and positional parameter of every command says what it is. */
    @Test
    void everyOptionAndParameterIsDescribed() {
        List<String> bare = new java.util.ArrayList<>();
        for (CommandLine c : everyCommand()) {
            String command = c.getCommandSpec().qualifiedName();
            for (CommandLine.Model.OptionSpec o : c.getCommandSpec().options()) {
                if (!o.hidden() && String.join("", o.description()).isBlank()) {
                    bare.add(command + " " + o.longestName());
                }
            }
            for (CommandLine.Model.PositionalParamSpec p : c.getCommandSpec().positionalParameters()) {
                if (!p.hidden() && String.join("", p.description()).isBlank()) {
                    bare.add(command + " " + p.paramLabel());
                }
            }
        }
        assertThat(bare).as("options without a description").isEmpty();
    }

    /** The command lists show each subcommand's first line: a whole short sentence, never cut mid-way. */
    @Test
    void everyCommandListShowsWholeSentences() {
        for (CommandLine c : everyCommand()) {
            if (c.getParent() == null) {
                continue;
            }
            var usage = c.getCommandSpec().usageMessage();
            String first = usage.header().length > 0 ? usage.header()[0] : usage.description()[0];
            assertThat(first).as(c.getCommandSpec().qualifiedName()).endsWith(".").hasSizeLessThanOrEqualTo(110)
                    .doesNotContain(". ");
        }
    }

    @Test
    void requiredOptionsAreShownWithoutBrackets() {
        Cli.Run r = ckl("run", "--help");
        String synopsis = r.out().substring(r.out().indexOf("Usage:"), r.out().indexOf("The run folder"))
                .replaceAll("\\s+", " ");
        assertThat(synopsis).contains("(--from=RUN_DIR|run.json | (--benchmark=<benchmark> --method=<method>"
                + " --preset=<preset>))").doesNotContain("[--benchmark").doesNotContain("[--from");
        Cli.Run site = ckl("site", "build", "--help");
        assertThat(site.out()).contains(" --out=<out>").contains(" --runs=<runs>").doesNotContain("[--out");
        // one of two options is required: shown as (A | B), never [A] [B]
        assertThat(synopsis("submit")).contains("(--runs=<runs> | --unpack=BUNDLE.zip)").doesNotContain("[--runs");
        assertThat(synopsis("lama-ckl", "build")).contains("(--model=<models> [--model=<models>]... | --scores=<scores>)")
                .doesNotContain("[--scores");
        assertThat(synopsis("taalm", "train")).contains("(--data=<data> | --split=<split>)").doesNotContain("[--split");
        assertThat(synopsis("sweep")).contains("ckl sweep --grid=<grid> --out=<out> [OPTIONS]")
                .contains("ckl sweep status --out=<out>").doesNotContain("[--grid");
    }

    private static String synopsis(String... command) {
        String[] args = java.util.Arrays.copyOf(command, command.length + 1);
        args[command.length] = "--help";
        String out = ckl(args).out();
        int start = out.indexOf("Usage:");
        // the synopsis runs until the first line that does not continue it (indented) after the first
        String[] lines = out.substring(start).split("\n");
        StringBuilder b = new StringBuilder(lines[0]);
        for (int i = 1; i < lines.length && lines[i].startsWith(" "); i++) {
            b.append(' ').append(lines[i].strip());
        }
        return b.toString().replaceAll("\\s+", " ");
    }

    @Test
    void versionNamesTheVersionAndTheCommit() {
        Cli.Run r = ckl("--version");
        assertThat(r.code()).isZero();
        assertThat(r.out().strip()).matches("ckl-bench \\d+\\.\\d+\\.\\d+\\S*, commit ([0-9a-f]{40}(-dirty)?|unknown)")
                .endsWith("commit " + Provenance.gitCommit());
    }

    /** No GPU here: the message gives docs/usage.md's recipe and --device as typed, though the run's id says gpu. */
    @Test
    void aMissingGpuIsNamedAsTypedWithTheDocumentedRecipe(@TempDir Path tmp) throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(ai.djl.engine.Engine.getEngine("PyTorch").getGpuCount() == 0,
                "this machine has a GPU");
        Cli.Run r = ckl("run", "--benchmark", "lama-ckl", "--method", "finetune", "--preset", "smoke", "--device", "cuda",
                "--out", tmp.toString());
        assertThat(r.code()).as(r.err()).isEqualTo(1);
        assertThat(r.err()).startsWith("ckl: error: --device cuda: PyTorch sees no GPU")
                .contains("PYTORCH_LIBRARY_PATH").contains("-Dai.djl.offline=false").contains("'Running on a GPU'")
                .doesNotContain("pytorch-native-cpu");
        assertThat(Files.readString(Path.of("..", "docs", "usage.md"))).contains("export PYTORCH_LIBRARY_PATH=")
                .contains("CKL_JAVA_OPTS=-Dai.djl.offline=false").contains("## Running on a GPU");
    }

    @ParameterizedTest
    @CsvSource({"cuda, gpu", "cuda:1, gpu:1", "CUDA:0, gpu:0", "gpu:2, gpu:2", "gpu, gpu", "cpu, cpu", "CPU, cpu"})
    void pyTorchDeviceNamesAreAccepted(String given, String canonical) {
        assertThat(PyTorchEngine.canonicalDevice(given)).isEqualTo(canonical);
        RunCommand run = new RunCommand();
        new CommandLine(run).parseArgs("--benchmark", "b", "--method", "m", "--preset", "p", "--device", given);
        assertThat(run.engine.device).isEqualTo(canonical);
    }

    @Test
    void otherDeviceNamesAreRefused() {
        for (String bad : List.of("tpu", "cuda:", "cuda:x", "cpu:1", "mps", "gpu:1234")) {
            assertThatThrownBy(() -> PyTorchEngine.canonicalDevice(bad)).as(bad).hasMessageContaining("unknown device");
        }
    }

    /** A malformed config.json is named with its line and column, in words, without Jackson's internals. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "{\\n \"vocab_size\": 512,\\n \"hidden_size\": 64,,\\n}\\n | line 3, column 20: not valid JSON: Unexpected character (',' ",
        "{\"vocab_size\": 512,\\n \"hidden_size\": 64\\n         | not valid JSON: Unexpected end-of-input",
    })
    void aBadConfigJsonNamesFileLineAndProblem(String text, String message, @TempDir Path tmp) throws Exception {
        Files.writeString(tmp.resolve("config.json"), text.replace("\\n", "\n"));
        Cli.Run r = ckl("model", "info", "--model", tmp.toString());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).startsWith("ckl: error: " + tmp.resolve("config.json") + ", line ").contains(message.strip())
                .doesNotContain("Source").doesNotContain("StreamReadFeature").doesNotContain("REDACTED")
                .doesNotContain("com.fasterxml");
    }
}
