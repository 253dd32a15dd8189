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
}
