package org.cklbench.site;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.cklbench.runfolder.RunFolder;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.util.ArrayList;
import java.util.List;

/**
 * A run's optimiser steps ({@code steps.jsonl}) for its page: loss, learning rate and gradient norm per step, at
 * most {@link #POINTS} of them (every k-th step of a longer run; the file, published beside, has them all).
 */
final class Steps {
    private static final ObjectMapper JSON = new ObjectMapper();
    static final int POINTS = 1000;
    /** The most lines read: far more steps than any preset trains. */
    static final int MAX_LINES = 200_000;
    static final long MAX_BYTES = 32L << 20;
    static final List<String> SERIES = List.of("loss", "lr", "grad_norm");

    private Steps() {
    }

    /**
     * {@code {"every": k, "x": [...], "loss": [...], "lr": [...], "grad_norm": [...]}} with x the step counted over
     * the run; {@code {}} without the file; {@code {"error": ...}} for one that cannot be read (the run still builds).
     */
    static ObjectNode sampled(RunFolder folder) {
        ObjectNode out = JSON.createObjectNode();
        if (!Files.isRegularFile(folder.dir().resolve(RunFolder.STEPS), LinkOption.NOFOLLOW_LINKS)) {
            return out;
        }
        List<ObjectNode> lines;
        try {
            lines = folder.steps(MAX_LINES, MAX_BYTES);
        } catch (IOException | RuntimeException e) {
            return out.put("error", RunFolder.STEPS + " cannot be read: " + e.getMessage());
        }
        int every = Math.max(1, (lines.size() + POINTS - 1) / POINTS);
        out.put("every", every);
        var x = out.putArray("x");
        List<com.fasterxml.jackson.databind.node.ArrayNode> ys = new ArrayList<>();
        SERIES.forEach(k -> ys.add(out.putArray(k)));
        for (int i = 0; i < lines.size(); i += every) {
            JsonNode l = lines.get(i);
            x.add(i + 1);
            for (int k = 0; k < SERIES.size(); k++) {
                JsonNode v = l.path(SERIES.get(k));
                if (v.isNumber() && Double.isFinite(v.asDouble())) {
                    ys.get(k).add(v.asDouble());
                } else {
                    ys.get(k).addNull();
                }
            }
        }
        return out;
    }

    /** The page's per-step charts (loss, learning rate, gradient norm), or none without steps. */
    static List<String> charts(JsonNode steps) {
        List<String> out = new ArrayList<>();
        if (!steps.path("x").isArray() || steps.path("x").isEmpty()) {
            return out;
        }
        List<String> xs = new ArrayList<>();
        steps.get("x").forEach(v -> xs.add(v.asText()));
        String of = steps.path("every").asInt(1) > 1 ? " (every " + steps.get("every").asInt() + "th step)" : "";
        String[] labels = {"training loss", "learning rate", "gradient norm (before clipping)"};
        for (int k = 0; k < SERIES.size(); k++) {
            List<Double> ys = new ArrayList<>();
            steps.path(SERIES.get(k)).forEach(v -> ys.add(v.isNumber() ? v.asDouble() : Double.NaN));
            out.add(Charts.lines(labels[k] + " per step" + of, "optimiser step", xs, labels[k],
                    List.of(new Charts.Series(labels[k], ys))));
        }
        return out;
    }
}
