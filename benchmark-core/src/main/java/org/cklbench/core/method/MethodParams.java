package org.cklbench.core.method;

import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The resolved parameters of one method instance: every declared parameter with its typed value
 * (the user's, else the preset's default for the method, else the method's own default), and the
 * folder its {@link Preparation} produced, if it has one. An undeclared name is an error, so a typo
 * never passes silently.
 */
public final class MethodParams {
    private final String method;
    private final SortedMap<String, Object> values;
    private final Path prepared;

    private MethodParams(String method, SortedMap<String, Object> values, Path prepared) {
        this.method = method;
        this.values = Collections.unmodifiableSortedMap(values);
        this.prepared = prepared;
    }

    /**
     * Parses and checks {@code given} (text) against {@code declared}, on top of {@code defaults}
     * (text too: a preset's defaults for this method), for a run of seed 1.
     */
    public static MethodParams resolve(String method, List<ParamSpec> declared, Map<String, String> defaults,
                                       Map<String, String> given) {
        return resolve(method, declared, defaults, given, 1);
    }

    /**
     * The same for a run of seed {@code runSeed}: a parameter declared with {@link ParamSpec#runSeed}
     * takes that seed unless the preset or {@code given} sets it.
     */
    public static MethodParams resolve(String method, List<ParamSpec> declared, Map<String, String> defaults,
                                       Map<String, String> given, long runSeed) {
        Map<String, ParamSpec> byName = new TreeMap<>();
        declared.forEach(p -> byName.put(p.name(), p));
        SortedMap<String, Object> out = new TreeMap<>();
        for (ParamSpec p : declared) {
            try {
                out.put(p.name(), p.defaultParsed(runSeed));
            } catch (IllegalArgumentException outOfRange) {
                // a seed the parameter does not take: an error below unless the preset or the user sets it
            }
        }
        for (Map<String, String> layer : List.of(defaults, given)) {
            for (Map.Entry<String, String> e : layer.entrySet()) {
                ParamSpec p = byName.get(e.getKey());
                if (p == null) {
                    throw new IllegalArgumentException("method '" + method + "' has no parameter '" + e.getKey() + "'"
                            + (byName.isEmpty() ? " (it has none)" : " (it has: " + String.join(", ", byName.keySet()) + ")")
                            + "; see ckl methods");
                }
                try {
                    out.put(p.name(), p.parse(e.getValue()));
                } catch (IllegalArgumentException ex) {
                    throw new IllegalArgumentException("method '" + method + "': " + ex.getMessage(), ex);
                }
            }
        }
        for (ParamSpec p : declared) {
            if (!out.containsKey(p.name())) {
                throw new IllegalArgumentException("method '" + method + "': " + p.name() + " follows the run's seed "
                        + runSeed + ", which it does not take (" + p.takes() + "); give " + p.name() + " itself");
            }
        }
        return new MethodParams(method, out, null);
    }

    /** The same values with the output folder of the method's preparation. */
    public MethodParams withPrepared(Path folder) {
        return new MethodParams(method, new TreeMap<>(values), folder);
    }

    public SortedMap<String, Object> asMap() {
        return values;
    }

    public Object get(String name) {
        if (!values.containsKey(name)) {
            throw new IllegalArgumentException("method '" + method + "' declares no parameter '" + name + "'");
        }
        return values.get(name);
    }

    public String getString(String name) {
        return get(name).toString();
    }

    public double getDouble(String name) {
        return ((Number) get(name)).doubleValue();
    }

    public int getInt(String name) {
        return ((Number) get(name)).intValue();
    }

    public boolean getBoolean(String name) {
        return (Boolean) get(name);
    }

    /** The folder the method's preparation produced for this run; an error when it has none. */
    public Path prepared() {
        if (prepared == null) {
            throw new IllegalStateException("method '" + method + "' was not prepared (its preparation did not run)");
        }
        return prepared;
    }
}
