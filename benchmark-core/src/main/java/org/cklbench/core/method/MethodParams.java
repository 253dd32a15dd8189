package org.cklbench.core.method;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The resolved parameters of one method instance: every declared parameter with its default,
 * overridden by the user's values. An undeclared name is an error, so a typo never passes silently.
 */
public final class MethodParams {
    private final String method;
    private final Map<String, String> values;

    private MethodParams(String method, Map<String, String> values) {
        this.method = method;
        this.values = Collections.unmodifiableMap(values);
    }

    public static MethodParams resolve(String method, List<MethodParameter> declared, Map<String, String> given) {
        Map<String, String> out = new TreeMap<>();
        for (MethodParameter p : declared) {
            out.put(p.name(), p.defaultValue());
        }
        for (Map.Entry<String, String> e : given.entrySet()) {
            if (!out.containsKey(e.getKey())) {
                throw new IllegalArgumentException("method '" + method + "' has no parameter '" + e.getKey()
                        + "' (it has: " + String.join(", ", out.keySet()) + "; see ckl methods)");
            }
            out.put(e.getKey(), e.getValue());
        }
        return new MethodParams(method, out);
    }

    public Map<String, String> asMap() {
        return values;
    }

    public String get(String name) {
        String v = values.get(name);
        if (v == null && !values.containsKey(name)) {
            throw new IllegalArgumentException("method '" + method + "' declares no parameter '" + name + "'");
        }
        return v;
    }

    public double getDouble(String name) {
        try {
            return Double.parseDouble(get(name));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(method + "." + name + " must be a number, got '" + get(name) + "'");
        }
    }

    public int getInt(String name) {
        try {
            return Integer.parseInt(get(name));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(method + "." + name + " must be an integer, got '" + get(name) + "'");
        }
    }

    public boolean getBoolean(String name) {
        String v = get(name);
        if (!v.equals("true") && !v.equals("false")) {
            throw new IllegalArgumentException(method + "." + name + " must be true or false, got '" + v + "'");
        }
        return Boolean.parseBoolean(v);
    }

}
