package org.cklbench.core.plugin;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Issue 25, item 12: a plugin jar that cannot be loaded is named, with what is wrong, never a bare ServiceConfigurationError. */
class PluginLoadingTest {
    private static final String SERVICE = "META-INF/services/org.cklbench.core.method.MethodProvider";
    private static final String PROVIDER = """
            package ex;
            public class %s %s implements org.cklbench.core.method.MethodProvider {
                public %s() { %s }
                public String id() { return "%s"; }
                public String description() { return "x"; }
                public java.util.List<org.cklbench.core.method.ParamSpec> parameters() { return java.util.List.of(); }
                public org.cklbench.core.method.CklMethod create(org.cklbench.core.method.MethodParams p) { return null; }
            }
            """;

    @TempDir
    Path tmp;

    /** Compiles {@code sources} (class name → source) and jars the classes named in {@code keep} with a service file. */
    private Path jar(String name, Map<String, String> sources, List<String> keep, String service) throws Exception {
        Path src = Files.createDirectories(tmp.resolve("src-" + name).resolve("ex"));
        Path classes = Files.createDirectories(tmp.resolve("classes-" + name));
        List<String> args = new ArrayList<>(List.of("-d", classes.toString(), "-cp", System.getProperty("java.class.path")));
        for (Map.Entry<String, String> e : sources.entrySet()) {
            Path f = src.resolve(e.getKey() + ".java");
            Files.writeString(f, e.getValue());
            args.add(f.toString());
        }
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        if (!sources.isEmpty()) {
            assertThat(javac.run(null, null, null, args.toArray(String[]::new))).isZero();
        }
        Path jar = Files.createDirectories(tmp.resolve("plugins-" + name)).resolve(name + ".jar");
        try (OutputStream os = Files.newOutputStream(jar); JarOutputStream j = new JarOutputStream(os)) {
            j.putNextEntry(new JarEntry(SERVICE));
            j.write(service.getBytes(StandardCharsets.UTF_8));
            j.closeEntry();
            try (Stream<Path> s = Files.walk(classes)) {
                for (Path f : s.filter(Files::isRegularFile).toList()) {
                    String entry = classes.relativize(f).toString().replace('\\', '/');
                    if (keep.stream().anyMatch(k -> entry.equals("ex/" + k + ".class"))) {
                        j.putNextEntry(new JarEntry(entry));
                        j.write(Files.readAllBytes(f));
                        j.closeEntry();
                    }
                }
            }
        }
        return jar.getParent();
    }

    @Test
    void aServiceFileNamingAnAbsentClassNamesTheJar() throws Exception {
        Path dir = jar("absent", Map.of(), List.of(), "ex.Nowhere\n");
        assertThatThrownBy(() -> Registries.load(dir)).isNotInstanceOf(java.util.ServiceConfigurationError.class)
                .hasMessageContaining("absent.jar").hasMessageContaining("ex.Nowhere");
    }

    @Test
    void aProviderThatThrowsInItsConstructorNamesTheJar() throws Exception {
        Path dir = jar("throws", Map.of("Boom", PROVIDER.formatted("Boom", "", "Boom",
                "throw new IllegalStateException(\"no licence key\");", "boom")), List.of("Boom"), "ex.Boom\n");
        assertThatThrownBy(() -> Registries.load(dir)).isNotInstanceOf(java.util.ServiceConfigurationError.class)
                .hasMessageContaining("throws.jar").hasMessageContaining("ex.Boom").hasMessageContaining("no licence key");
    }

    @Test
    void aMissingDependencyNamesTheJarAndTheClass() throws Exception {
        Path dir = jar("nodep", Map.of("Base", "package ex; public class Base {}",
                "Child", PROVIDER.formatted("Child", "extends Base", "Child", "", "child")), List.of("Child"), "ex.Child\n");
        assertThatThrownBy(() -> Registries.load(dir)).isInstanceOf(Exception.class)
                .hasMessageContaining("nodep.jar").hasMessageContaining("ex/Base");
    }

    @Test
    void aCorruptJarIsNamedNotSkipped() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("corrupt"));
        Files.write(dir.resolve("broken.jar"), "PK\u0003\u0004 this is not a zip at all".getBytes(StandardCharsets.ISO_8859_1));
        assertThatThrownBy(() -> Registries.load(dir)).hasMessageContaining("broken.jar").hasMessageContaining("not a readable jar");
    }
}
