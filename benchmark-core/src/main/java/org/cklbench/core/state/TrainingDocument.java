package org.cklbench.core.state;

import java.util.Map;

/**
 * One training sequence: its token ids (BOS first, already truncated), the text they came from, and
 * the row fields a method may need (e.g. {@code object} for the oracle, {@code uuid} for logs).
 */
public record TrainingDocument(String id, String text, long[] ids, Map<String, String> fields) {
    public String field(String name) {
        return fields.get(name);
    }
}
