package org.cklbench.core.external;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A declaration is read whole and checked; each problem names the file. */
class ExternalDeclarationTest {
    @TempDir
    Path tmp;

    private Path write(String name, String json) throws Exception {
        Path p = tmp.resolve(name);
        Files.writeString(p, json);
        return p;
    }

    @Test
    void readsADeclarationWithItsDefaults() throws Exception {
        Files.writeString(tmp.resolve("m.py"), "print(1)\n");
        ExternalDeclaration d = ExternalDeclaration.read(write("mine.external.json",
                "{\"id\": \"mine\", \"command\": [\"python3\", \"m.py\"], \"files\": [\"m.py\"],"
                        + " \"parameters\": {\"lr_scale\": \"1.0\"}}"));
        assertThat(d.id()).isEqualTo("mine");
        assertThat(d.command()).containsExactly("python3", "m.py");
        assertThat(d.privileged()).isFalse();
        assertThat(d.timeoutSeconds()).isEqualTo(ExternalMethods.DEFAULT_TIMEOUT);
        assertThat(d.folder()).isEqualTo(tmp.toAbsolutePath().normalize());
        assertThat(new ExternalMethods(d).parameters()).extracting(p -> p.name()).containsExactly("lr_scale", "timeout");
        assertThat(ExternalDeclaration.scan(tmp)).hasSize(1);
        assertThat(ExternalDeclaration.scan(null)).isEmpty();
    }

    @Test
    void refusesWhatIsWrongNamingTheFile() throws Exception {
        assertThatThrownBy(() -> ExternalDeclaration.read(write("a.external.json", "{\"id\": \"b\", \"command\": [\"x\"]}")))
                .hasMessageContaining("a.external.json").hasMessageContaining("named b.external.json");
        assertThatThrownBy(() -> ExternalDeclaration.read(write("a.external.json", "{\"id\": \"a\", \"comand\": [\"x\"]}")))
                .hasMessageContaining("unknown key 'comand'");
        assertThatThrownBy(() -> ExternalDeclaration.read(write("a.external.json", "{\"id\": \"a\", \"command\": []}")))
                .hasMessageContaining("command must be a non-empty list");
        assertThatThrownBy(() -> ExternalDeclaration.read(write("a.external.json",
                "{\"id\": \"a\", \"command\": [\"x\"], \"files\": [\"../etc/passwd\"]}")))
                .hasMessageContaining("inside the declaration's folder");
        assertThatThrownBy(() -> ExternalDeclaration.read(write("a.external.json",
                "{\"id\": \"a\", \"command\": [\"x\"], \"files\": [\"missing.py\"]}")))
                .hasMessageContaining("not a regular file");
        assertThatThrownBy(() -> ExternalDeclaration.read(write("a.external.json",
                "{\"id\": \"a\", \"command\": [\"x\"], \"timeout_seconds\": 0}")))
                .hasMessageContaining("timeout_seconds");
        assertThatThrownBy(() -> ExternalDeclaration.read(write("a.external.json",
                "{\"id\": \"a\", \"command\": [\"x\"], \"parameters\": {\"command\": \"y\"}}")))
                .hasMessageContaining("parameter 'command'");
        assertThatThrownBy(() -> ExternalDeclaration.read(write("a.external.json", "[1]")))
                .hasMessageContaining("JSON object");
    }

    /** A link can make neither the declaration nor a file it lists, whose hash provenance records, point elsewhere. */
    @Test
    void refusesLinks() throws Exception {
        Path outside = Files.writeString(Files.createTempFile("outside", ".py"), "print('elsewhere')\n");
        try {
            Files.createSymbolicLink(tmp.resolve("m.py"), outside);
            assertThatThrownBy(() -> ExternalDeclaration.read(write("a.external.json",
                    "{\"id\": \"a\", \"command\": [\"python3\", \"m.py\"], \"files\": [\"m.py\"]}")))
                    .hasMessageContaining("files entry 'm.py' is not a regular file");
            Path real = write("real.json", "{\"id\": \"b\", \"command\": [\"x\"]}");
            Path link = Files.createSymbolicLink(tmp.resolve("b.external.json"), real);
            assertThatThrownBy(() -> ExternalDeclaration.read(link)).hasMessageContaining("must not be a link");
        } finally {
            Files.delete(outside);
        }
    }

    /**
     * A folder on the way to a listed file may not be a link either: {@code lib/x.py} with {@code lib} linked
     * elsewhere would hash, run and submit a file from outside the declaration's folder. Nor may a listed path
     * step out and back in ({@code lib/../x.py} is lexically inside, but the system follows lib before the dots).
     * The declaration's folder itself may be reached through a link: what counts is what lies under it.
     */
    @Test
    void refusesAListedFileBehindALinkedFolder() throws Exception {
        Path outside = Files.createTempDirectory("outside");
        try {
            Files.writeString(outside.resolve("x.py"), "print('elsewhere')\n");
            Files.createSymbolicLink(tmp.resolve("lib"), outside);
            assertThatThrownBy(() -> ExternalDeclaration.read(write("a.external.json",
                    "{\"id\": \"a\", \"command\": [\"python3\", \"lib/x.py\"], \"files\": [\"lib/x.py\"]}")))
                    .hasMessageContaining("a.external.json").hasMessageContaining("files entry 'lib/x.py'")
                    .hasMessageContaining("symbolic link 'lib'");
            Files.writeString(tmp.resolve("x.py"), "print('here')\n");
            assertThatThrownBy(() -> ExternalDeclaration.read(write("a.external.json",
                    "{\"id\": \"a\", \"command\": [\"x\"], \"files\": [\"lib/../x.py\"]}")))
                    .hasMessageContaining("files entry 'lib/../x.py'").hasMessageContaining("'..'");
            assertThatThrownBy(() -> ExternalDeclaration.listedFile(tmp, "lib/x.py", "here"))
                    .hasMessageContaining("symbolic link 'lib'");

            Path real = Files.createDirectories(tmp.resolve("real"));
            Files.writeString(real.resolve("m.py"), "print(1)\n");
            Files.writeString(real.resolve("m.external.json"), "{\"id\": \"m\", \"command\": [\"x\"], \"files\": [\"m.py\"]}");
            Path linkedFolder = Files.createSymbolicLink(tmp.resolve("linked"), real);
            assertThat(ExternalDeclaration.read(linkedFolder.resolve("m.external.json")).files()).containsExactly("m.py");
        } finally {
            Files.deleteIfExists(outside.resolve("x.py"));
            Files.delete(outside);
        }
    }
}
