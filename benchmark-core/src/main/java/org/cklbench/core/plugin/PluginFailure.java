package org.cklbench.core.plugin;

import org.cklbench.core.benchmark.Benchmark;
import org.cklbench.core.method.MethodProvider;
import org.cklbench.text.Printable;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarFile;
import java.util.zip.ZipEntry;

/**
 * Why plugin jars could not be loaded, naming the jar: the ServiceLoader's own errors name a provider
 * class at best (a service file naming an absent class, a constructor that throws) and a missing
 * dependency none at all. Each provider each jar declares is loaded and made again, one by one, and the
 * first that fails is named with its jar and the cause.
 */
final class PluginFailure {
    private static final List<Class<?>> SERVICES = List.of(Benchmark.class, MethodProvider.class);

    private PluginFailure() {
    }

    static String describe(Throwable failure, List<Path> jars, ClassLoader loader) {
        for (Path jar : jars) {
            for (String provider : providers(jar)) {
                String why = tryLoad(provider, loader);
                if (why != null) {
                    return "plugin " + Printable.of(jar) + ": its provider " + Printable.of(provider) + " " + why;
                }
            }
        }
        return "the plugin jars " + Printable.of(jars.stream().map(p -> p.getFileName().toString()).toList())
                + " could not be loaded: " + Printable.of(cause(failure));
    }

    /** Null when {@code provider} loads and constructs; else what went wrong. */
    private static String tryLoad(String provider, ClassLoader loader) {
        try {
            Class.forName(provider, true, loader).getConstructor().newInstance();
            return null;
        } catch (ClassNotFoundException e) {
            return "is not in the jar, nor on the class path (its service file names it)";
        } catch (NoClassDefFoundError e) {
            return "needs the class " + e.getMessage() + ", which no jar holds: a missing dependency (put its jar in the"
                    + " plugin folder too)";
        } catch (java.lang.reflect.InvocationTargetException e) {
            return "failed as it was made: " + cause(e.getCause());
        } catch (NoSuchMethodException e) {
            return "has no public constructor without arguments";
        } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
            return "cannot be loaded: " + cause(e);
        }
    }

    private static String cause(Throwable t) {
        return t.getClass().getSimpleName() + (t.getMessage() == null ? "" : ": " + t.getMessage());
    }

    /** The provider classes {@code jar}'s service files name, in order (comments and blanks left out). */
    private static List<String> providers(Path jar) {
        List<String> out = new java.util.ArrayList<>();
        try (JarFile j = new JarFile(jar.toFile())) {
            for (Class<?> service : SERVICES) {
                ZipEntry e = j.getEntry("META-INF/services/" + service.getName());
                if (e == null) {
                    continue;
                }
                try (InputStream in = j.getInputStream(e)) {
                    for (String line : new String(in.readNBytes(1 << 16), StandardCharsets.UTF_8).split("\n")) {
                        String name = line.replaceAll("#.*", "").trim();
                        if (!name.isEmpty()) {
                            out.add(name);
                        }
                    }
                }
            }
        } catch (IOException e) {
            // checked readable when loaded; unreadable now names nothing more
        }
        return out;
    }
}
