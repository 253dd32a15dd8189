package org.cklbench.site;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeSet;

/**
 * What a site and each board were built from: the date is the newest {@code finished} time of the runs shown,
 * not the clock of the build, so that the same runs still give byte-identical files; the suite's commits are
 * those the runs record (a board made by two versions of the suite says so); the base is the board's weights hash.
 */
final class BuildInfo {
    private BuildInfo() {
    }

    /** For the index: how many runs and boards, and the newest run's finishing time ("unknown" when none says). */
    static Map<String, Object> site(JsonNode data) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("runs", data.path("runs").size());
        out.put("boards", data.path("leaderboards").size());
        out.put("runs_text", Labels.count(data.path("runs").size(), "run"));
        out.put("boards_text", Labels.count(data.path("leaderboards").size(), "board"));
        out.put("date", Labels.time(newest(data.path("runs"))));
        TreeSet<String> commits = new TreeSet<>();
        data.path("runs").forEach(r -> commits.add(commit(r)));
        out.put("commits", String.join(", ", commits));
        return out;
    }

    /** For one board: its runs' newest finishing time, their suite commits and the base's full hash. */
    static Map<String, Object> of(JsonNode board, Map<String, JsonNode> runsByPage) {
        TreeSet<String> commits = new TreeSet<>();
        com.fasterxml.jackson.databind.node.ArrayNode runs = new com.fasterxml.jackson.databind.ObjectMapper().createArrayNode();
        for (JsonNode row : board.path("rows")) {
            for (JsonNode page : row.path("runs")) {
                JsonNode r = runsByPage.get(page.asText());
                runs.add(r);
                commits.add(commit(r));
            }
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("date", Labels.time(newest(runs)));
        out.put("commits", String.join(", ", commits));
        out.put("base", board.path("weights").asText());
        return out;
    }

    /** A run's suite commit, shortened to 12 digits where it is a git hash. */
    static String commit(JsonNode run) {
        String c = run.path("provenance").path("software").path("git_commit").asText("unknown");
        return c.matches("[0-9a-f]{40}(-dirty)?") ? c.substring(0, 12) + (c.endsWith("-dirty") ? "-dirty" : "") : c;
    }

    /**
     * The newest ISO-8601 {@code finished} time of the runs, or "unknown". The times compare as instants: as text,
     * "04:42:45Z" would sort after "04:42:45.2Z".
     */
    static String newest(JsonNode runs) {
        String best = null;
        for (JsonNode r : runs) {
            String t = r.path("provenance").path("finished").asText("");
            if (t.matches("\\d{4}-\\d{2}-\\d{2}T[0-9:.]+Z")) {
                try {
                    if (best == null || java.time.Instant.parse(t).isAfter(java.time.Instant.parse(best))) {
                        best = t;
                    }
                } catch (java.time.format.DateTimeParseException e) {
                    // not an instant after all ("2026-13-45T99:99Z"): not a date the site can show
                }
            }
        }
        return best == null ? "unknown" : best;
    }
}
