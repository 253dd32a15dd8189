package org.cklbench.core.plugin;

import org.cklbench.core.benchmark.BenchmarkRegistry;
import org.cklbench.core.method.MethodSource;
import org.cklbench.core.method.MethodRegistry;

import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The benchmarks and methods a command can use: those built in, and those of every jar in a plugin
 * folder ({@code --plugins DIR}), loaded through one class loader so a plugin may bring both.
 */
public record Registries(BenchmarkRegistry benchmarks, MethodRegistry methods) {

    /** Built-in benchmarks and methods, and those of the jars in {@code pluginDir} when it is not null. */
    public static Registries load(Path pluginDir) throws IOException {
        List<Path> jars = jars(pluginDir);
        ClassLoader loader = loader(pluginDir, jars);
        try {
            return new Registries(BenchmarkRegistry.load(loader), MethodRegistry.load(loader, sourced(pluginDir)));
        } catch (java.util.ServiceConfigurationError | LinkageError e) {
            throw new IllegalStateException(PluginFailure.describe(e, jars, loader), e);
        }
    }

    /** Methods that are not classes of their own ({@link MethodSource}: external methods' declarations). */
    private static java.util.Map<org.cklbench.core.method.MethodProvider, String> sourced(Path pluginDir)
            throws IOException {
        java.util.Map<org.cklbench.core.method.MethodProvider, String> out = new java.util.LinkedHashMap<>();
        for (MethodSource s : java.util.ServiceLoader.load(MethodSource.class, Registries.class.getClassLoader())) {
            out.putAll(s.providers(pluginDir));
        }
        return out;
    }

    /** Whether {@code c} came from a plugin jar rather than from the suite itself. */
    public static boolean fromPlugin(Class<?> c) {
        return c.getClassLoader() != Registries.class.getClassLoader();
    }

    /** Of the benchmark and the methods, those that come from a plugin jar: id → origin, in that order. */
    public java.util.Map<String, String> pluginOrigins(String benchmark, List<String> methodIds) {
        java.util.Map<String, String> out = new java.util.LinkedHashMap<>();
        if (fromPlugin(benchmarks.get(benchmark).getClass())) {
            out.put(benchmark, benchmarks.origin(benchmark));
        }
        for (String m : methodIds) {
            if (fromPlugin(methods.provider(m).getClass())) {
                out.put(m, methods.origin(m));
            }
        }
        return out;
    }

    static ClassLoader loader(Path pluginDir) throws IOException {
        return loader(pluginDir, jars(pluginDir));
    }

    private static ClassLoader loader(Path pluginDir, List<Path> jars) {
        ClassLoader parent = Registries.class.getClassLoader();
        if (pluginDir == null) {
            return parent;
        }
        return new URLClassLoader(jars.stream().map(Registries::toUrl).toArray(URL[]::new), parent);
    }

    /** The jars of {@code pluginDir} in name order, each one checked to be a readable jar (none is skipped unsaid). */
    private static List<Path> jars(Path pluginDir) throws IOException {
        if (pluginDir == null) {
            return List.of();
        }
        if (!Files.isDirectory(pluginDir)) {
            throw new IOException("--plugins " + pluginDir + " is not a folder");
        }
        List<Path> jars = new ArrayList<>();
        try (var files = Files.list(pluginDir)) {
            for (Path p : files.filter(f -> f.toString().endsWith(".jar") && Files.isRegularFile(f)).sorted().toList()) {
                try (java.util.jar.JarFile j = new java.util.jar.JarFile(p.toFile())) {
                    j.size();
                } catch (IOException e) {
                    throw new IOException("plugin " + org.cklbench.text.Printable.of(p) + " is not a readable jar ("
                            + org.cklbench.text.Printable.of(e.getMessage()) + "); remove it or put the right file there", e);
                }
                jars.add(p);
            }
        }
        return jars;
    }

    private static URL toUrl(Path p) {
        try {
            return p.toUri().toURL();
        } catch (MalformedURLException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
