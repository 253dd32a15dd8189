package org.cklbench.core.method;

import org.cklbench.runfolder.MethodInfo;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Every {@link MethodProvider} visible to a class loader (built-in methods and plugin jars), by id. A
 * method spec {@code a+b} composes methods; parameters of a composed method are written {@code a.name}.
 * A parameter written {@code id.name} for a method that is not in the spec is left out, so that one
 * command line or grid can give TAALM its model and still list methods without TAALM.
 */
public final class MethodRegistry {
    private final Map<String, MethodProvider> providers;
    private final Map<String, String> origins;

    private MethodRegistry(Map<String, MethodProvider> providers, Map<String, String> origins) {
        this.providers = providers;
        this.origins = origins;
    }

    public static MethodRegistry load(ClassLoader loader) {
        return load(loader, Map.of());
    }

    /**
     * The providers visible to {@code loader} and {@code more}, each of those with its origin (an external
     * method's declaration file, say).
     */
    public static MethodRegistry load(ClassLoader loader, Map<MethodProvider, String> more) {
        Map<String, MethodProvider> found = new TreeMap<>();
        Map<String, String> origins = new TreeMap<>();
        List<MethodProvider> all = new ArrayList<>();
        java.util.ServiceLoader.load(MethodProvider.class, loader).forEach(all::add);
        all.addAll(more.keySet());
        for (MethodProvider p : all) {
            String id = p.id();
            if (id == null || !id.matches("[a-z0-9][a-z0-9_-]*")) {
                throw new IllegalStateException("method id '" + id + "' of " + p.getClass().getName()
                        + " must be lower case letters, digits, '-' or '_'");
            }
            MethodProvider clash = found.putIfAbsent(id, p);
            if (clash != null && (clash.getClass() != p.getClass() || more.containsKey(p))) {
                throw new IllegalStateException("two methods claim id '" + id + "': "
                        + (more.containsKey(clash) ? more.get(clash) : clash.getClass().getName()) + " and "
                        + (more.containsKey(p) ? more.get(p) : p.getClass().getName()));
            }
            java.util.Set<String> names = new java.util.HashSet<>();
            for (ParamSpec spec : p.parameters()) {
                if (!names.add(spec.name())) {
                    throw new IllegalStateException("method '" + id + "' (" + origin(p.getClass()) + ") declares two"
                            + " parameters named '" + spec.name() + "'; --param could set only one of them");
                }
            }
            origins.put(id, more.containsKey(p) ? more.get(p) : origin(p.getClass()));
        }
        return new MethodRegistry(found, origins);
    }

    /** Where a class came from: "built-in" or the jar's path. */
    public static String origin(Class<?> c) {
        var src = c.getProtectionDomain().getCodeSource();
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
        if (spec == null || spec.isEmpty() || spec.startsWith("+") || spec.endsWith("+") || spec.contains("++")) {
            throw new IllegalArgumentException("method spec '" + spec + "' must be method ids joined by '+', e.g. taalm+kadapter");
        }
        List<String> ids = List.of(spec.split("\\+"));
        ids.forEach(this::provider);
        if (ids.stream().distinct().count() != ids.size()) {
            throw new IllegalArgumentException("method spec '" + spec + "' names a method twice");
        }
        return ids;
    }

    /**
     * Resolves a spec's parameters: each part's declared defaults, then {@code presetDefaults} (a
     * preset's values by method id), then {@code given} (from the user: {@code name} for a single
     * method, {@code id.name} always). Every value is parsed and checked here. For a run of seed 1.
     */
    public ResolvedMethod resolve(String spec, Map<String, Map<String, String>> presetDefaults, Map<String, String> given) {
        return resolve(spec, presetDefaults, given, 1);
    }

    /**
     * The same for a run of seed {@code runSeed}: parameters declared with {@link ParamSpec#runSeed} take
     * it unless set, and are no variant then (the run's seed is in its configuration already).
     */
    public ResolvedMethod resolve(String spec, Map<String, Map<String, String>> presetDefaults, Map<String, String> given,
                                  long runSeed) {
        List<String> ids = ids(spec);
        Map<String, Map<String, String>> scoped = new LinkedHashMap<>();
        ids.forEach(id -> scoped.put(id, new TreeMap<>()));
        for (Map.Entry<String, String> e : given.entrySet()) {
            String key = e.getKey();
            int dot = key.indexOf('.');
            if (dot < 0) {
                if (ids.size() > 1) {
                    throw new IllegalArgumentException("parameter '" + key + "' of the composed method '" + spec
                            + "' must be written <method>.<name>, e.g. " + ids.get(0) + "." + key);
                }
                scoped.get(ids.get(0)).put(key, e.getValue());
                continue;
            }
            String id = key.substring(0, dot);
            provider(id); // a misspelt method id is an error, not a parameter silently left out
            if (scoped.containsKey(id)) {
                scoped.get(id).put(key.substring(dot + 1), e.getValue());
            }
        }
        Map<String, MethodParams> parts = new LinkedHashMap<>();
        Map<String, MethodParams> defaults = new LinkedHashMap<>();
        for (String id : ids) {
            MethodProvider p = provider(id);
            Map<String, String> preset = presetDefaults.getOrDefault(id, Map.of());
            parts.put(id, MethodParams.resolve(id, p.parameters(), preset, scoped.get(id), runSeed));
            p.check(parts.get(id));
            MethodParams d;
            try {
                d = MethodParams.resolve(id, p.parameters(), preset, Map.of(), runSeed);
            } catch (IllegalArgumentException seedOutOfRange) {
                // the user set the parameter the run's seed does not fit (the line above accepted it): a variant
                d = MethodParams.resolve(id, p.parameters(), preset, Map.of(), 1);
            }
            defaults.put(id, d);
        }
        SortedMap<String, Object> values = ResolvedMethod.flatten(parts, ids.size() > 1);
        SortedMap<String, Object> base = ResolvedMethod.flatten(defaults, ids.size() > 1);
        SortedMap<String, Object> variant = new TreeMap<>();
        values.forEach((k, v) -> {
            if (!Objects.equals(base.get(k), v)) {
                variant.put(k, v);
            }
        });
        return new ResolvedMethod(spec, parts, variant);
    }

    /** The preparations of a resolved spec's parts, by method id (parts that need none are absent). */
    public Map<String, Preparation> preparations(ResolvedMethod m) {
        Map<String, Preparation> out = new LinkedHashMap<>();
        m.parts().forEach((id, params) -> {
            Preparation p = provider(id).preparation(params);
            if (p != null) {
                out.put(id, p);
            }
        });
        return out;
    }

    /** Instantiates a resolved spec (after its preparations, see {@link ResolvedMethod#withPrepared}). */
    public CklMethod create(ResolvedMethod m) {
        List<CklMethod> parts = new ArrayList<>();
        m.parts().forEach((id, params) -> parts.add(provider(id).create(params)));
        return parts.size() == 1 ? parts.get(0) : new CompositeMethod(parts);
    }

    /** How run.json describes a method. */
    public MethodInfo info(String id) {
        MethodProvider p = provider(id);
        List<MethodInfo.Parameter> params = new ArrayList<>();
        for (ParamSpec s : p.parameters()) {
            params.add(new MethodInfo.Parameter(s.name(), s.typeLabel(), s.defaultValue(), s.description()));
        }
        return new MethodInfo(id, p.description(), origin(id), params, p.resultNote());
    }
}
