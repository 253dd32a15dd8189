package org.cklbench.site;

import org.cklbench.runfolder.Json;
import org.cklbench.runfolder.LeaderboardSpec;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Where a benchmark's leaderboard spec (labels, which way is better, published rows, the hint) comes from.
 * Any run folder can carry a benchmark.json of its own making, so no single folder decides it: the installed
 * benchmark's spec when it is installed where the site is built; else the spec the most runs of the benchmark
 * carry, alike to the byte in canonical JSON, and a run that carries another is left out and said so (a tie
 * leaves every run of the benchmark out: nothing tells which spec is the benchmark's).
 */
final class BoardSpecs {
    /** The spec chosen for one benchmark, where it came from, and the runs left out for carrying another. */
    record Choice(LeaderboardSpec spec, String source, Map<String, String> refused) {
    }

    private BoardSpecs() {
    }

    /**
     * @param benchmark the benchmark id
     * @param installed its installed spec, or null
     * @param carried   each run's own spec, by run folder
     */
    static Choice choose(String benchmark, LeaderboardSpec installed, Map<String, LeaderboardSpec> carried) {
        Map<String, String> refused = new TreeMap<>();
        if (installed != null) {
            return new Choice(installed, "the installed benchmark '" + benchmark + "' (its own leaderboard spec)", refused);
        }
        Map<String, List<String>> byText = new TreeMap<>();
        Map<String, LeaderboardSpec> specOf = new LinkedHashMap<>();
        carried.forEach((folder, spec) -> {
            String text = Json.canonical(spec);
            byText.computeIfAbsent(text, k -> new ArrayList<>()).add(folder);
            specOf.putIfAbsent(text, spec);
        });
        String best = null;
        boolean tie = false;
        for (Map.Entry<String, List<String>> e : byText.entrySet()) {
            int n = e.getValue().size();
            if (best == null || n > byText.get(best).size()) {
                best = e.getKey();
                tie = false;
            } else if (n == byText.get(best).size()) {
                tie = true;
            }
        }
        if (best == null || tie) {
            for (List<String> folders : byText.values()) {
                folders.forEach(f -> refused.put(f, "the runs of benchmark '" + benchmark + "' disagree on its"
                        + " benchmark.json, as many for one as for another, and the benchmark is not installed here"));
            }
            return new Choice(null, null, refused);
        }
        int agree = byText.get(best).size();
        int others = 0;
        for (Map.Entry<String, List<String>> e : byText.entrySet()) {
            if (!e.getKey().equals(best)) {
                others += e.getValue().size();
                e.getValue().forEach(f -> refused.put(f, "its benchmark.json differs from the one " + agree
                        + " other run" + (agree == 1 ? "" : "s") + " of benchmark '" + benchmark + "' carry, and the"
                        + " benchmark is not installed here to say which is its own"));
            }
        }
        String source = "benchmark.json, the same in " + agree + " run" + (agree == 1 ? "" : "s")
                + (others == 0 ? "" : " (" + others + " run" + (others == 1 ? "" : "s") + " carrying another left out)")
                + "; the benchmark is not installed where the site was built";
        return new Choice(specOf.get(best), source, refused);
    }
}
