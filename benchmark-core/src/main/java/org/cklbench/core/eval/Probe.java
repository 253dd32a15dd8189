package org.cklbench.core.eval;

/**
 * A probe: a sentence whose last occurrence of {@code object} is the fact's object, with the fact's
 * subject and relation where the benchmark knows them (null otherwise; they are shown, not scored).
 */
public record Probe(String uuid, String sentence, String object, String subject, String relation) {
    public Probe(String uuid, String sentence, String object) {
        this(uuid, sentence, object, null, null);
    }
}
