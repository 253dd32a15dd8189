package org.cklbench.core.method;

import org.cklbench.core.method.CompositeMethod;

import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;

/**
 * Every {@link MethodProvider} on the class path and in the jars of a plugin folder, by id. A method
 * spec {@code a+b} composes methods; parameters of a composed method are written {@code a.name}.
 */
public final class MethodRegistry {
    private final Map<String, MethodProvider> providers;
    private final Map<String, String> origins;

    private MethodRegistry(Map<String, MethodProvider> providers, Map<String, String> origins) {
        this.providers = providers;
        this.origins = origins;
    }

    /** Loads built-in methods and, when {@code pluginDir} is not null, every jar in it. */
    public static MethodRegistry load(Path pluginDir) throws IOException {
        ClassLoader parent = MethodRegistry.class.getClassLoader();
        ClassLoader loader = parent;
        if (pluginDir != null) {
            if (!Files.isDirectory(pluginDir)) {
                throw new IOException("--plugins " + pluginDir + " is not a folder");
            }
            List<URL> jars = new ArrayList<>();
            try (var files = Files.list(pluginDir)) {
                for (Path p : files.filter(f -> f.toString().endsWith(".jar")).sorted().toList()) {
                    jars.add(toUrl(p));
                }
            }
            loader = new URLClassLoader(jars.toArray(URL[]::new), parent);
        }
        Map<String, MethodProvider> found = new TreeMap<>();
        Map<String, String> origins = new TreeMap<>();
        for (MethodProvider p : ServiceLoader.load(MethodProvider.class, loader)) {
            String id = p.id();
            if (!id.matches("[a-z0-9][a-z0-9_-]*")) {
                throw new IllegalStateException("method id '" + id + "' of " + p.getClass().getName()
                        + " must be lower case letters, digits, '-' or '_'");
            }
            MethodProvider clash = found.putIfAbsent(id, p);
            if (clash != null && clash.getClass() != p.getClass()) {
                throw new IllegalStateException("two methods claim id '" + id + "': " + clash.getClass().getName()
                        + " and " + p.getClass().getName());
            }
            origins.put(id, origin(p));
        }
        return new MethodRegistry(found, origins);
    }

    private static URL toUrl(Path p) {
        try {
            return p.toUri().toURL();
        } catch (MalformedURLException e) {
            throw new IllegalArgumentException(e);
        }
    }

    private static String origin(MethodProvider p) {
        var src = p.getClass().getProtectionDomain().getCodeSource();
        return src == null ? "built-in" : src.getLocation().toString();
    }

    public Map<String, MethodProvider> providers() {
        return providers;
    }

    /** Where a method's class came from (a jar path), for provenance. */
    public String origin(String id) {
        return origins.get(id);
    }

    public MethodProvider provider(String id) {
        MethodProvider p = providers.get(id);
        if (p == null) {
            throw new IllegalArgumentException("unknown method id '" + id + "'; known: " + String.join(", ", providers.keySet())
                    + " (plugins are loaded with --plugins DIR)");
        }
        return p;
    }

    /** The ids of a spec: {@code taalm+kadapter} → [taalm, kadapter]. */
    public List<String> ids(String spec) {
        List<String> ids = List.of(spec.split("\\+"));
        for (String id : ids) {
            provider(id);
        }
        if (ids.stream().distinct().count() != ids.size()) {
            throw new IllegalArgumentException("method spec '" + spec + "' names a method twice");
        }
        return ids;
    }

    /** Resolves every parameter of a spec with defaults, as the flat map recorded in run.json. */
    public Map<String, String> resolveParams(String spec, Map<String, String> given) {
        List<String> ids = ids(spec);
        Map<String, String> out = new TreeMap<>();
        if (ids.size() == 1) {
            out.putAll(MethodParams.resolve(ids.get(0), provider(ids.get(0)).parameters(), given).asMap());
            return out;
        }
        for (String key : given.keySet()) {
            if (!key.contains(".") || !ids.contains(key.substring(0, key.indexOf('.')))) {
                throw new IllegalArgumentException("parameter '" + key + "' of the composed method '" + spec
                        + "' must be written <method>.<name>, e.g. " + ids.get(0) + "." + key);
            }
        }
        for (String id : ids) {
            Map<String, String> scoped = new LinkedHashMap<>();
            given.forEach((k, v) -> {
                if (k.startsWith(id + ".")) {
                    scoped.put(k.substring(id.length() + 1), v);
                }
            });
            MethodParams.resolve(id, provider(id).parameters(), scoped).asMap()
                    .forEach((k, v) -> out.put(id + "." + k, v));
        }
        return out;
    }

    /** Instantiates a spec with resolved parameters (from {@link #resolveParams}). */
    public CklMethod create(String spec, Map<String, String> resolved) {
        List<String> ids = ids(spec);
        if (ids.size() == 1) {
            MethodProvider p = provider(ids.get(0));
            return p.create(MethodParams.resolve(p.id(), p.parameters(), resolved));
        }
        List<CklMethod> parts = new ArrayList<>();
        for (String id : ids) {
            MethodProvider p = provider(id);
            Map<String, String> scoped = new LinkedHashMap<>();
            resolved.forEach((k, v) -> {
                if (k.startsWith(id + ".")) {
                    scoped.put(k.substring(id.length() + 1), v);
                }
            });
            parts.add(p.create(MethodParams.resolve(id, p.parameters(), scoped)));
        }
        return new CompositeMethod(parts);
    }
}
