package org.cklbench.site;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;

import java.io.IOException;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * One board as CSV, with that board's columns only: who the row is (kind, method, variant, seeds, probes, the
 * base's and the world's SHA-256), then for each of the board's figures its mean, standard deviation over seeds,
 * 95% interval, mark against the reference row and adjusted p. Measured rows first in the board's order, then
 * the reported ones (kind {@code reported}, for another base model).
 */
final class BoardCsv {
    private BoardCsv() {
    }

    static List<String> header(JsonNode board) {
        List<String> h = new ArrayList<>(List.of("benchmark", "preset", "kind", "model", "method", "variant", "seeds",
                "n_seeds", "probes", "weights_sha256", "world_sha256"));
        String ref = board.path("reference").asText("reference");
        for (JsonNode c : board.path("columns")) {
            String k = c.get("key").asText();
            h.addAll(List.of(k, k + "_sd", k + "_lo", k + "_hi", k + "_vs_" + ref, k + "_p_adjusted"));
        }
        return h;
    }

    static String of(JsonNode board) throws IOException {
        StringWriter out = new StringWriter();
        try (CSVPrinter p = new CSVPrinter(out, CSVFormat.DEFAULT.builder().setHeader(header(board).toArray(String[]::new))
                .setRecordSeparator("\n").get())) {
            for (JsonNode r : board.path("rows")) {
                List<Object> v = new ArrayList<>(List.of(text(board, "benchmark"), text(board, "preset"), "measured",
                        text(board, "model"), text(r, "method"), text(r, "variant")));
                List<String> seeds = new ArrayList<>();
                r.path("seeds").forEach(s -> seeds.add(s.asText()));
                v.addAll(List.of(String.join(" ", seeds), r.path("n").asInt(), text(r, "probes"), text(board, "weights"),
                        text(board, "world")));
                addValues(v, board, r);
                p.printRecord(v.stream().map(SiteBuilder::cell).toList());
            }
            for (JsonNode r : board.path("reported")) {
                List<Object> v = new ArrayList<>(List.of(text(board, "benchmark"), text(board, "preset"), "reported",
                        text(board, "reported_model"), text(r, "method"), text(r, "label"), "", "", "", "", ""));
                addValues(v, board, r);
                p.printRecord(v.stream().map(SiteBuilder::cell).toList());
            }
        }
        return out.toString();
    }

    private static void addValues(List<Object> v, JsonNode board, JsonNode row) {
        for (JsonNode c : board.path("columns")) {
            JsonNode x = row.path("values").path(c.get("key").asText());
            v.add(num(x, "mean"));
            v.add(num(x, "sd"));
            v.add(num(x, "lo"));
            v.add(num(x, "hi"));
            v.add(x.path("vs_reference").asText(""));
            v.add(num(x, "p_adjusted"));
        }
    }

    private static Object num(JsonNode x, String field) {
        return x.path(field).isNumber() ? x.get(field).asDouble() : "";
    }

    private static String text(JsonNode n, String field) {
        return n.path(field).asText("");
    }
}
