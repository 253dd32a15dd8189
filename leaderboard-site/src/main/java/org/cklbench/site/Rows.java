package org.cklbench.site;

import com.fasterxml.jackson.databind.JsonNode;

/** How a board's row is named on its charts and downloads. */
final class Rows {
    private Rows() {
    }

    /**
     * Each row's style on the board's charts ({@link Charts#color}), by its config key: its place among the rows in
     * name order, so a method keeps its colour in every chart of the board, and when results (the board's order) change.
     */
    static java.util.Map<String, Integer> styles(JsonNode board) {
        java.util.TreeMap<String, String> byName = new java.util.TreeMap<>();
        board.path("rows").forEach(r -> byName.put(label(r) + "\u0001" + r.path("config_key").asText(), r.path("config_key").asText()));
        java.util.Map<String, Integer> out = new java.util.HashMap<>();
        byName.values().forEach(k -> out.putIfAbsent(k, out.size()));
        return out;
    }

    /** A row's style on its board's charts ({@link #styles}). */
    static int style(java.util.Map<String, Integer> styles, JsonNode row) {
        return styles.getOrDefault(row.path("config_key").asText(), -1);
    }

    /** The method, and its variant in parentheses where it has one. */
    static String label(JsonNode row) {
        String v = row.path("variant").asText("");
        return row.path("method").asText() + (v.isEmpty() ? "" : " (" + v + ")");
    }
}
