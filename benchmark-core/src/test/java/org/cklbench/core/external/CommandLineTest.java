package org.cklbench.core.external;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CommandLineTest {
    @Test
    void splitsAsAShellSplitsASimpleCommandWithoutRunningOne() {
        assertThat(CommandLine.split("python3  my_method.py --lr 1e-4")).containsExactly("python3", "my_method.py", "--lr", "1e-4");
        assertThat(CommandLine.split("python3 'my method.py' \"a \\\"b\\\" c\" d\\ e")).containsExactly("python3",
                "my method.py", "a \"b\" c", "d e");
        assertThat(CommandLine.split("echo $HOME;ls|wc >x")).containsExactly("echo", "$HOME;ls|wc", ">x");
        assertThat(CommandLine.split("a ''")).containsExactly("a", "");
    }

    @Test
    void refusesWhatItCannotSplit() {
        assertThatThrownBy(() -> CommandLine.split("python3 'x.py")).hasMessageContaining("' is not closed");
        assertThatThrownBy(() -> CommandLine.split("python3 \"x.py")).hasMessageContaining("\" is not closed");
        assertThatThrownBy(() -> CommandLine.split("   ")).hasMessageContaining("names no program");
        assertThatThrownBy(() -> CommandLine.split("x \\")).hasMessageContaining("lone");
    }

    @Test
    void theInterpreterOfAScriptIsItsFirstLinesProgram(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp)
            throws Exception {
        java.nio.file.Files.writeString(tmp.resolve("m.py"), "#!/usr/bin/env python3\nprint(1)\n");
        assertThat(ExternalProcess.interpreter("./m.py", tmp)).isEqualTo(List.of("/usr/bin/env", "python3"));
        assertThat(ExternalProcess.interpreter("python3", tmp)).isEqualTo(List.of("python3"));
        java.nio.file.Files.writeString(tmp.resolve("bin"), "\u007fELF");
        assertThat(ExternalProcess.interpreter("./bin", tmp)).isEqualTo(List.of("./bin"));
    }
}
