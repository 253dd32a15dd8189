package org.cklbench.site;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.cklbench.io.Hashing;
import org.cklbench.runfolder.LeaderboardSpec;
import org.cklbench.runfolder.MethodInfo;
import org.cklbench.runfolder.Replicates;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The summarize step (as HELM splits it): every complete run folder under a directory becomes one
 * JSON data model — leaderboards per benchmark, preset, base weights and world, by content hash
 * ({@link RowKeys}; runs of one configuration across seeds aggregated to mean ± sample standard
 * deviation, with intervals and marks corrected for the board's number of comparisons (Benjamini-Hochberg) from {@link Leaderboards}), each benchmark's published rows, each
 * run's curve and provenance, and the methods. What a benchmark's leaderboard shows comes from the
 * {@code benchmark.json} its runs carry (or the installed benchmark's, {@link BoardSpecs}), so the site knows no
 * benchmark and no method by name. The site is rendered from this model ({@link SiteData}) alone. Its jobs are
 * split: discovery and validation ({@link RunDiscovery}), aggregation (here and {@link Leaderboards}),
 * statistics ({@link BoardStatistics}, {@link Intervals}).
 */
public final class Summarizer {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Joins the parts of a board's key; no name, hash or path holds it. */
    private static final String SEP = "\u0001";

    private Summarizer() {
    }

    /**
     * @param installed methods installed where the site is built (listed even without runs; their declared
     *                  parameters decide which follow the seed)
     * @param trusted   leaderboard specs of the benchmarks installed where the site is built, which win over the
     *                  benchmark.json runs carry ({@link BoardSpecs})
     */
    public static SiteData summarize(Path runs, List<MethodInfo> installed, Map<String, LeaderboardSpec> trusted)
            throws IOException {
        List<SiteData.Run> runList = new ArrayList<>();
        List<SiteData.Skip> skipped = new ArrayList<>();
        Map<String, MethodInfo> methods = new TreeMap<>();
        installed.forEach(m -> methods.put(m.id(), m));
        // 1. each run on its own: any error (a file beyond the bounds, a null where a record belongs) leaves that run out
        List<RunDiscovery.Read> read = RunDiscovery.discover(runs, Map.copyOf(methods), skipped);
        // 2. each benchmark's spec from what can be checked (BoardSpecs); runs carrying another are left out
        Map<String, Map<String, LeaderboardSpec>> carried = new TreeMap<>();
        read.forEach(r -> carried.computeIfAbsent(r.record().config().benchmark(), k -> new TreeMap<>()).put(r.folder(), r.spec()));
        Map<String, LeaderboardSpec> specs = new TreeMap<>();
        Map<String, String> specSources = new TreeMap<>();
        Map<String, String> refused = new TreeMap<>();
        carried.forEach((benchmark, bySpec) -> {
            BoardSpecs.Choice c = BoardSpecs.choose(benchmark, trusted.get(benchmark), bySpec);
            refused.putAll(c.refused());
            if (c.spec() != null) {
                specs.put(benchmark, c.spec());
                specSources.put(benchmark, c.source());
            }
        });
        // 3. one run per configuration and seed on a board: a second would be a replicate that is none
        Map<String, RunDiscovery.Read> bySeed = new HashMap<>();
        for (RunDiscovery.Read r : read) {
            String key = r.board() + RunDiscovery.SEP + r.run().configKey() + RunDiscovery.SEP + r.run().seed();
            if (refused.containsKey(r.folder())) {
                continue;
            }
            RunDiscovery.Read first = bySeed.get(key);
            if (first == null) {
                bySeed.put(key, r);
            } else if (r.verified() && !first.verified()) {
                refused.put(first.folder(), "the same configuration and seed as " + r.folder()
                        + ", which is verified and is shown instead");
                bySeed.put(key, r);
            } else {
                refused.put(r.folder(), "the same configuration and seed as " + first.folder() + ", which is shown");
            }
        }
        Map<String, Map<String, List<SiteData.Run>>> groups = new TreeMap<>();
        Set<String> pages = new HashSet<>();
        Map<String, Replicates> replicates = new HashMap<>();
        for (RunDiscovery.Read r : read) {
            if (refused.containsKey(r.folder())) {
                skipped.add(new SiteData.Skip(r.folder(), refused.get(r.folder())));
                continue;
            }
            SiteData.Run run = r.run();
            if (r.record().methods() != null) {
                r.record().methods().stream().filter(m -> m != null && RunDiscovery.safeName(m.id()) && m.parameters() != null
                        && m.parameters().stream().allMatch(java.util.Objects::nonNull))
                        .forEach(m -> methods.putIfAbsent(m.id(), m));
                List<String> notes = r.record().methods().stream().filter(m -> m != null && m.note() != null
                        && !m.note().isBlank()).map(m -> m.id() + ": " + m.note()).toList();
                if (!notes.isEmpty()) {
                    run = run.withMethodNotes(notes);
                }
            }
            // Two folders of one name (in two sweeps, say) would share a page; the second gets a suffix.
            if (!pages.add(run.page())) {
                run = run.withPage(run.page() + "-" + Hashing.sha256(run.folder()).substring(0, 6));
                pages.add(run.page());
            }
            runList.add(run);
            if (r.replicates() != null) {
                replicates.put(run.page(), r.replicates());
            }
            groups.computeIfAbsent(r.board(), k -> new TreeMap<>()).computeIfAbsent(run.configKey(),
                    k -> new ArrayList<>()).add(run);
        }
        List<SiteData.Board> boards = new ArrayList<>();
        Set<String> siteLabels = new java.util.TreeSet<>();
        specs.values().forEach(s -> Leaderboards.columnsOf(s).stream().filter(c -> c.label() != null)
                .forEach(c -> siteLabels.add(c.label())));
        for (Map.Entry<String, Map<String, List<SiteData.Run>>> g : groups.entrySet()) {
            String[] k = g.getKey().split(RunDiscovery.SEP, -1);
            try {
                boards.add(Leaderboards.board(specs.get(k[0]), k[1], k[2], k[3], g.getValue(), replicates, siteLabels)
                        .withSpecSource(specSources.get(k[0])));
            } catch (RuntimeException e) {
                // the last guard: a board that cannot be computed is left out, named by its runs, and the others build
                List<String> folders = new ArrayList<>();
                g.getValue().values().forEach(rs -> rs.forEach(r -> folders.add(r.folder())));
                skipped.add(new SiteData.Skip(String.join(", ", folders), "their leaderboard (benchmark "
                        + k[0] + ", preset " + k[1] + ") could not be computed: " + e));
            }
        }
        Map<String, List<String>> runsOf = new TreeMap<>();
        for (SiteData.Run r : runList) {
            runsOf.computeIfAbsent(r.method(), x -> new ArrayList<>()).add(r.page());
        }
        for (String id : runsOf.keySet()) {
            methods.putIfAbsent(id, new MethodInfo(id, describe(id, methods), null, List.of()));
        }
        List<SiteData.MethodEntry> ms = new ArrayList<>();
        for (MethodInfo m : methods.values()) {
            ms.add(new SiteData.MethodEntry(m.id(), m.description(), m.parameters().stream().map(p -> new SiteData.Parameter(
                    p.name(), p.type(), p.defaultValue(), p.description())).toList(), runsOf.getOrDefault(m.id(), List.of())));
        }
        return new SiteData(runList, skipped, boards, specs, ms);
    }

    private static String describe(String id, Map<String, MethodInfo> methods) {
        if (!id.contains("+")) {
            return "(not described by its runs, nor installed here)";
        }
        return "composition of " + String.join(" and ", id.split("\\+")) + ": their hooks in order, token weights multiplied";
    }

    /** The variant of a row: the parameters that differ from the defaults, as {@code name=value, ...}. */
    static String variant(Map<String, Object> params) {
        StringBuilder sb = new StringBuilder();
        JSON.<JsonNode>valueToTree(params).fields().forEachRemaining(p -> sb.append(sb.length() == 0 ? "" : ", ")
                .append(p.getKey()).append('=').append(p.getValue().asText()));
        return sb.toString();
    }
}
