package org.cklbench.core.method;

/** A tunable parameter of a method: its name, default (as text) and what it does. */
public record MethodParameter(String name, String defaultValue, String description) {
}
