package org.cklbench.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * picocli starts a new line at each element of a description, then wraps each line to its column: an
 * element too long for the column that runs on into the next prints as a wrapped line cut short with the
 * rest of the sentence under it ("(default: $CKL_LAUNCHER," then "which ./ckl sets ..." in
 * {@code ckl sweep --help}). Such an element must be a paragraph: it ends a sentence and the next starts one.
 * (Short lines wrapped by hand, as {@code ckl sweep}'s grid example, print as written.)
 */
class HelpParagraphsTest {

    private static void walk(CommandLine cl, List<CommandLine> out) {
        out.add(cl);
        cl.getSubcommands().forEach((name, sub) -> {
            if (!name.equals("help") && sub.getCommandName().equals(name)) {
                walk(sub, out);
            }
        });
    }

    /** The description column of an option (picocli's 80 columns less its option columns), and a command's. */
    private static final int OPTION_COLUMN = 50;
    private static final int COMMAND_COLUMN = 80;

    /** Where element i, wider than its column, runs on into element i + 1 rather than ending a sentence before it. */
    private static List<String> cuts(String where, String[] lines, int column) {
        List<String> found = new ArrayList<>();
        for (int i = 0; i + 1 < lines.length; i++) {
            String line = lines[i].strip();
            String next = lines[i + 1].strip();
            if (line.length() <= column || next.isEmpty()) {
                continue;
            }
            boolean ends = line.endsWith(".") || line.endsWith(".)");
            boolean starts = !Character.isLowerCase(next.codePointAt(0));
            if (!ends || !starts) {
                found.add(where + ": \"" + line + "\" / \"" + next + "\"");
            }
        }
        return found;
    }

    @Test
    void noSentenceIsCutBetweenTwoLinesOfHelp() {
        List<CommandLine> all = new ArrayList<>();
        walk(Main.commandLine(), all);
        List<String> cut = new ArrayList<>();
        for (CommandLine c : all) {
            String name = c.getCommandSpec().qualifiedName();
            var usage = c.getCommandSpec().usageMessage();
            cut.addAll(cuts(name + " description", usage.description(), COMMAND_COLUMN));
            cut.addAll(cuts(name + " footer", usage.footer(), COMMAND_COLUMN));
            for (OptionSpec o : c.getCommandSpec().options()) {
                cut.addAll(cuts(name + " " + o.longestName(), o.description(), OPTION_COLUMN));
            }
        }
        assertThat(cut).as("help text split mid-sentence").isEmpty();
    }
}
