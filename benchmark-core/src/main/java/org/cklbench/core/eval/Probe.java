package org.cklbench.core.eval;

/** A probe: a sentence whose last occurrence of {@code object} is the fact's object. */
public record Probe(String uuid, String sentence, String object) {
}
