package org.cklbench.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.tools.ToolProvider;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.cklbench.cli.Cli.ckl;

/** Plugin jars that cannot load: once a stack trace with the jar not named, or silence. */
class HostilePluginsTest {
    @TempDir
    Path tmp;

    private static final String SERVICE = "META-INF/services/org.cklbench.core.method.MethodProvider";

    /** A jar of {@code entries} (name → bytes) in {@code dir}. */
    private static Path jar(Path dir, String name, Map<String, byte[]> entries) throws Exception {
        Path jar = Files.createDirectories(dir).resolve(name);
        try (OutputStream os = Files.newOutputStream(jar); JarOutputStream j = new JarOutputStream(os)) {
            for (var e : entries.entrySet()) {
                j.putNextEntry(new JarEntry(e.getKey()));
                j.write(e.getValue());
                j.closeEntry();
            }
        }
        return jar;
    }

    /** A jar holding {@code cls} (compiled from {@code source} against the SPI) listed as a method provider. */
    private Path compiled(String folder, String cls, String source) throws Exception {
        Path src = Files.createDirectories(tmp.resolve("src-" + folder)).resolve(cls + ".java");
        Files.writeString(src, source);
        Path classes = Files.createDirectories(tmp.resolve("classes-" + folder));
        int rc = ToolProvider.getSystemJavaCompiler().run(null, null, null, "-d", classes.toString(), "-cp",
                PluginTest.spiClassPath(), "--release", "17", src.toString());
        assertThat(rc).isZero();
        return jar(tmp.resolve(folder), folder + ".jar", Map.of("hostile/" + cls + ".class",
                Files.readAllBytes(classes.resolve("hostile/" + cls + ".class")), SERVICE,
                ("hostile." + cls + "\n").getBytes()));
    }

    private static void noStackTrace(Cli.Run r) {
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).startsWith("ckl: error: ").doesNotContain("\tat ").doesNotContain("ServiceConfigurationError");
    }

    @Test
    void aServiceFileNamingAnAbsentClassNamesTheJar() throws Exception {
        Path jar = jar(tmp.resolve("absent"), "absent.jar", Map.of(SERVICE, "hostile.Nowhere\n".getBytes()));
        Cli.Run r = ckl("methods", "--plugins", jar.getParent().toString());
        noStackTrace(r);
        assertThat(r.err()).contains("hostile.Nowhere").contains("plugin " + jar + ": its provider");
    }

    @Test
    void aProviderThatThrowsInItsConstructorNamesTheJar() throws Exception {
        Path jar = compiled("boom", "Boom", """
                package hostile;
                public class Boom implements org.cklbench.core.method.MethodProvider {
                    public Boom() { throw new IllegalStateException("boom in the constructor"); }
                    public String id() { return "boom"; }
                    public String description() { return "boom"; }
                    public java.util.List<org.cklbench.core.method.ParamSpec> parameters() { return java.util.List.of(); }
                    public org.cklbench.core.method.CklMethod create(org.cklbench.core.method.MethodParams p) { return null; }
                }""");
        Cli.Run r = ckl("run", "--benchmark", "lama-ckl", "--method", "finetune", "--preset", "smoke", "--plugins",
                jar.getParent().toString(), "--out", tmp.resolve("out").toString());
        noStackTrace(r);
        assertThat(r.err()).contains("hostile.Boom").contains("boom.jar").contains("boom in the constructor");
    }

    @Test
    void twoParametersOfOneNameAreRefused() throws Exception {
        Path jar = compiled("dup", "Dup", """
                package hostile;
                import org.cklbench.core.method.ParamSpec;
                public class Dup implements org.cklbench.core.method.MethodProvider {
                    public String id() { return "dup"; }
                    public String description() { return "two of one name"; }
                    public java.util.List<ParamSpec> parameters() {
                        return java.util.List.of(ParamSpec.real("rate", 1, 0, 2, "a"), ParamSpec.real("rate", 0.5, 0, 2, "b"));
                    }
                    public org.cklbench.core.method.CklMethod create(org.cklbench.core.method.MethodParams p) { return null; }
                }""");
        Cli.Run r = ckl("methods", "--plugins", jar.getParent().toString());
        noStackTrace(r);
        assertThat(r.err()).contains("method 'dup'").contains("two parameters named 'rate'").contains("dup.jar");
    }

    @Test
    void aCorruptJarIsNamedNotSkipped() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("corrupt"));
        Files.write(dir.resolve("broken.jar"), new byte[] {'P', 'K', 3, 4, 0, 0, 1, 2, 3});
        Cli.Run r = ckl("methods", "--plugins", dir.toString());
        noStackTrace(r);
        assertThat(r.err()).contains(dir.resolve("broken.jar").toString()).contains("not a readable jar");
    }

    /** Once "a file may hold a line or value far larger than expected", whatever ran out. */
    @Test
    void outOfHeapBlamesNoFile() {
        String m = ErrorMessages.of(new OutOfMemoryError("Java heap space"));
        assertThat(m).contains("out of Java heap memory").contains("CKL_JAVA_OPTS").doesNotContain("a file");
    }
}
