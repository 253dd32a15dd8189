package org.cklbench.core.method;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A method spec ({@code taalm} or {@code taalm+kadapter}) with the typed parameters of each part.
 *
 * @param parts   each method id of the spec, in order, with its parameters
 * @param variant the parameters the user set to other values than the defaults in effect (flat keys)
 */
public record ResolvedMethod(String spec, Map<String, MethodParams> parts, SortedMap<String, Object> variant) {

    public List<String> ids() {
        return List.copyOf(parts.keySet());
    }

    /**
     * Every parameter as recorded in run.json: {@code name} for a single method, {@code id.name} for
     * the parts of a composed one.
     */
    public SortedMap<String, Object> flat() {
        return flatten(parts, parts.size() > 1);
    }

    static SortedMap<String, Object> flatten(Map<String, MethodParams> parts, boolean qualified) {
        SortedMap<String, Object> out = new TreeMap<>();
        parts.forEach((id, p) -> p.asMap().forEach((k, v) -> out.put(qualified ? id + "." + k : k, v)));
        return out;
    }

    /** The same parts, each with the folder its preparation produced (ids without one keep theirs). */
    public ResolvedMethod withPrepared(Map<String, java.nio.file.Path> prepared) {
        Map<String, MethodParams> out = new LinkedHashMap<>();
        parts.forEach((id, p) -> out.put(id, prepared.containsKey(id) ? p.withPrepared(prepared.get(id)) : p));
        return new ResolvedMethod(spec, out, variant);
    }
}
