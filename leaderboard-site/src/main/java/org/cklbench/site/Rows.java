package org.cklbench.site;

import com.fasterxml.jackson.databind.JsonNode;

/** How a board's row is named on its charts and downloads. */
final class Rows {
    private Rows() {
    }

    /** The method, and its variant in parentheses where it has one. */
    static String label(JsonNode row) {
        String v = row.path("variant").asText("");
        return row.path("method").asText() + (v.isEmpty() ? "" : " (" + v + ")");
    }
}
