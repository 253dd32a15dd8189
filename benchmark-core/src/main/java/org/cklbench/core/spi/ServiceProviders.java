package org.cklbench.core.spi;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The providers of a service a class loader sees, or one clear error naming the jar whose provider
 * failed: a provider that throws in its constructor, a service file naming an absent class, or a
 * missing dependency once gave a ServiceConfigurationError's stack trace, the jar not named.
 */
public final class ServiceProviders {
    private static final Pattern PROVIDER = Pattern.compile("Provider (\\S+)");

    private ServiceProviders() {
    }

    public static <T> List<T> load(Class<T> service, ClassLoader loader) {
        List<T> out = new ArrayList<>();
        Iterator<T> it = ServiceLoader.load(service, loader).iterator();
        while (true) {
            try {
                if (!it.hasNext()) {
                    return out;
                }
                out.add(it.next());
            } catch (ServiceConfigurationError | LinkageError e) {
                throw new IllegalStateException(describe(service, loader, e), e);
            }
        }
    }

    private static String describe(Class<?> service, ClassLoader loader, Throwable e) {
        Matcher m = PROVIDER.matcher(String.valueOf(e.getMessage()));
        String provider = m.find() ? m.group(1) : null;
        List<String> jars = provider == null ? List.of() : listing(service, loader, provider);
        StringBuilder s = new StringBuilder("cannot load the ").append(service.getSimpleName());
        s.append(provider != null ? " " + provider : "").append(jars.isEmpty() ? "" : " that " + String.join(" and ", jars)
                + " lists in META-INF/services/" + service.getName());
        Throwable cause = e.getCause();
        if (e instanceof ServiceConfigurationError && String.valueOf(e.getMessage()).endsWith("not found")) {
            s.append(": no such class is in that jar or on the class path");
        } else if (cause instanceof NoClassDefFoundError || e instanceof NoClassDefFoundError) {
            Throwable n = cause instanceof NoClassDefFoundError ? cause : e;
            s.append(": it needs class ").append(String.valueOf(n.getMessage()).replace('/', '.'))
                    .append(", which neither the suite nor the plugin folder holds (a missing dependency?)");
        } else if (cause != null) {
            s.append(": its constructor failed: ").append(cause);
        } else {
            s.append(": ").append(e.getMessage());
        }
        return s.append("; fix or remove that plugin jar").toString();
    }

    /** The jars (or folders) whose service file for {@code service} names {@code provider}. */
    private static List<String> listing(Class<?> service, ClassLoader loader, String provider) {
        List<String> out = new ArrayList<>();
        try {
            for (URL u : Collections.list(loader.getResources("META-INF/services/" + service.getName()))) {
                try (InputStream in = u.openStream()) {
                    String text = new String(in.readNBytes(1 << 20), StandardCharsets.UTF_8);
                    if (text.lines().map(l -> l.replaceAll("#.*", "").strip()).anyMatch(provider::equals)) {
                        String where = u.toString();
                        int bang = where.indexOf("!/");
                        String jar = where.startsWith("jar:") && bang > 0 ? where.substring(4, bang) : where;
                        out.add(jar.startsWith("file:") ? java.nio.file.Path.of(java.net.URI.create(jar)).toString() : jar);
                    }
                }
            }
        } catch (IOException | RuntimeException ignored) {
            // naming the jar is a courtesy: the error itself still stands
        }
        return out;
    }
}
