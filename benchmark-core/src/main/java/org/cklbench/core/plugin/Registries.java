package org.cklbench.core.plugin;

import org.cklbench.core.benchmark.BenchmarkRegistry;
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
        ClassLoader loader = loader(pluginDir);
        return new Registries(BenchmarkRegistry.load(loader), MethodRegistry.load(loader));
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
        ClassLoader parent = Registries.class.getClassLoader();
        if (pluginDir == null) {
            return parent;
        }
        if (!Files.isDirectory(pluginDir)) {
            throw new IOException("--plugins " + pluginDir + " is not a folder");
        }
        List<URL> jars = new ArrayList<>();
        try (var files = Files.list(pluginDir)) {
            for (Path p : files.filter(f -> f.toString().endsWith(".jar") && Files.isRegularFile(f)).sorted().toList()) {
                // the class loader would skip an unreadable jar without a word, and its methods would just be absent
                try (java.util.jar.JarFile readable = new java.util.jar.JarFile(p.toFile())) {
                    readable.size();
                } catch (IOException | SecurityException e) {
                    throw new IOException("plugin jar " + p + " is not a readable jar (" + e.getMessage()
                            + "); replace or remove it", e);
                }
                jars.add(toUrl(p));
            }
        }
        return new URLClassLoader(jars.toArray(URL[]::new), parent);
    }

    private static URL toUrl(Path p) {
        try {
            return p.toUri().toURL();
        } catch (MalformedURLException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
