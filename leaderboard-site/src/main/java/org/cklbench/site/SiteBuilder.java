package org.cklbench.site;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import org.cklbench.io.Folders;
import org.cklbench.io.AtomicFiles;
import org.cklbench.runfolder.LeaderboardSpec;
import org.cklbench.runfolder.MethodInfo;
import org.cklbench.runfolder.RunFolder;
import org.thymeleaf.TemplateEngine;
import org.thymeleaf.context.Context;
import org.thymeleaf.templatemode.TemplateMode;
import org.thymeleaf.templateresolver.ClassLoaderTemplateResolver;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code ckl site build}: summarize the run folders into {@code site-data.json}, then render the static
 * site from that model alone with Thymeleaf (which escapes every string it writes). Pages link only to
 * files of the site, with relative paths, so it works from {@code file://} and any static host; the same
 * runs give byte-identical output.
 */
public final class SiteBuilder {
    private static final ObjectMapper JSON = SiteData.JSON.copy().enable(SerializationFeature.INDENT_OUTPUT);
    private static final List<String> ASSETS = List.of("style.css", "site.js");

    private SiteBuilder() {
    }

    /**
     * @param methods methods installed where the site is built (listed even without runs)
     * @param trusted leaderboard specs of the benchmarks installed where the site is built, which win over the
     *                benchmark.json runs carry
     */
    public static Path build(Path runs, Path out, List<MethodInfo> methods, Map<String, LeaderboardSpec> trusted)
            throws IOException {
        if (Files.exists(out, LinkOption.NOFOLLOW_LINKS) && !Files.isDirectory(out, LinkOption.NOFOLLOW_LINKS)) {
            throw new IOException(out + " is a file, not a folder; choose another --out");
        }
        if (Files.isDirectory(out)) {
            try (var s = Files.list(out)) {
                if (s.findAny().isPresent() && !Files.isRegularFile(out.resolve(RunFolder.SITE_DATA))) {
                    throw new IOException(out + " is not empty and is not a site this tool built; choose another --out");
                }
            }
        }
        if (!Files.isDirectory(runs)) {
            throw new IOException("--runs " + runs + " is not a folder");
        }
        SiteData data = Summarizer.summarize(runs, methods, trusted);
        Path parent = out.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        Path tmp = org.cklbench.io.TempPaths.directory(parent, ".site."); // 0755 under umask 022, not 0700
        try {
            render(data, runs, tmp);
            SiteManifest.write(tmp);
            // the earlier site stays whole until the new one is complete: set it aside, put the new one in place,
            // with the files the earlier build did not write (a CNAME, a .nojekyll) copied in
            Path aside = null;
            if (Files.exists(out)) {
                SiteManifest.keepOthers(out, SiteManifest.written(out), tmp);
                aside = parent.resolve(".site-old." + tmp.getFileName().toString().substring(".site.".length()));
                Files.move(out, aside, StandardCopyOption.ATOMIC_MOVE);
            }
            try {
                Files.move(tmp, out, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                if (aside != null) {
                    Files.move(aside, out, StandardCopyOption.ATOMIC_MOVE);
                }
                throw e;
            }
            if (aside != null) {
                Folders.deleteTree(aside);
            }
        } finally {
            Folders.deleteTree(tmp);
        }
        return out.resolve("index.html");
    }

    /** The folder of a board's downloads: its CSV and its probes. */
    static final String DOWNLOADS = "downloads";

    static void render(SiteData data, Path runs, Path out) throws IOException {
        TemplateEngine engine = engine();
        write(out.resolve(RunFolder.SITE_DATA), JSON.writeValueAsString(data) + "\n");
        Files.createDirectories(out.resolve("assets"));
        for (String a : ASSETS) {
            try (InputStream in = SiteBuilder.class.getResourceAsStream("assets/" + a)) {
                Files.write(out.resolve("assets").resolve(a), in.readAllBytes());
            }
        }
        Context home = new Context(Locale.ROOT);
        Map<String, JsonNode> runsByPage = new LinkedHashMap<>();
        // the pictures, downloads and run pages read each run as written to site-data.json
        data.runs().forEach(r -> runsByPage.put(r.page(), JSON.valueToTree(r)));
        List<Map<String, Object>> boards = new ArrayList<>();
        java.util.Set<String> names = new java.util.HashSet<>();
        for (SiteData.Board board : data.leaderboards()) {
            Map<String, Object> m = map(board);
            // the page writes split ids as words; site-data.json and the downloads keep the ids
            for (Object row : (List<?>) m.get("rows")) {
                @SuppressWarnings("unchecked")
                Map<String, Object> r = (Map<String, Object>) row;
                r.put("probes_label", Labels.probes((String) r.get("probes")));
            }
            // the pictures and downloads read the board as written to site-data.json
            JsonNode b = JSON.valueToTree(board);
            JsonNode spec = JSON.valueToTree(data.benchmarks().get(board.benchmark()));
            m.put("curves", Curves.of(b, spec, runsByPage));
            m.put("tradeoff", TradeOff.of(b, spec));
            m.put("per_relation", PerRelation.model(PerRelation.of(b, runsByPage)));
            PerRelation.Metric metric = PerRelation.Metric.of(b);
            m.put("per_relation_title", (metric == PerRelation.Metric.NLL ? "Object NLL" : "Accuracy") + " per relation");
            m.put("per_relation_note", "The " + metric.description + " of each relation's probes, the mean over seeds,"
                    + " at the evaluation the table's figures are read at (the summary's epoch; every period for a"
                    + " benchmark of periods), the kind of figure the table ranks by" + (metric == PerRelation.Metric.NLL
                    ? ", not accuracy" : "") + ". \"probes\": per seed.");
            m.put("built", BuildInfo.of(b, runsByPage));
            String name = b.get("anchor").asText();
            for (int k = 2; !names.add(name); k++) {
                name = b.get("anchor").asText() + "-" + k;
            }
            m.put("csv", DOWNLOADS + "/" + name + ".csv");
            m.put("predictions", DOWNLOADS + "/" + name + "-predictions.jsonl");
            write(inside(out, (String) m.get("csv")), BoardCsv.of(b));
            m.put("predictions_count", BoardPredictions.write(inside(out, (String) m.get("predictions")), b, runsByPage, runs));
            boards.add(m);
        }
        home.setVariable("leaderboards", boards);
        home.setVariable("built", BuildInfo.site(data.tree()));
        home.setVariable("methods", list(JSON.valueToTree(data.methods())));
        java.util.Set<String> notices = new java.util.TreeSet<>();
        data.leaderboards().forEach(b -> {
            if (b.notice() != null) {
                notices.add(b.notice());
            }
        });
        home.setVariable("notices", List.copyOf(notices));
        home.setVariable("skipped", Skipped.entries(data));
        home.setVariable("skippedText", Skipped.heading(data));
        write(out.resolve("index.html"), engine.process("index", home));

        Path runPages = Files.createDirectories(out.resolve("runs"));
        for (SiteData.Run run : data.runs()) {
            String page = run.page();
            Context c = new Context(Locale.ROOT);
            c.setVariable("run", map(run));
            RunView.fill(c, runsByPage.get(page), JSON.valueToTree(data.benchmarks().get(run.benchmark())));
            write(inside(runPages, page + ".html"), engine.process("run", c));
            Path src = runs.resolve(run.folder());
            for (String f : run.files()) {
                // the last guard: only what the format defines (PublishedFiles) is copied, whatever the model says
                if (!PublishedFiles.TOP.contains(f) && !f.matches(RunFolder.PREDICTIONS + "/[^/]+\\.jsonl")) {
                    throw new IllegalStateException(f + " is no file of the run-folder format");
                }
                Path target = inside(runPages, page + "/" + f);
                Files.createDirectories(target.getParent());
                Files.copy(src.resolve(f), target, StandardCopyOption.REPLACE_EXISTING, LinkOption.NOFOLLOW_LINKS);
            }
        }
        Files.createDirectories(out.resolve("methods"));
        for (SiteData.MethodEntry m : data.methods()) {
            Context c = new Context(Locale.ROOT);
            c.setVariable("method", map(m));
            List<Map<String, Object>> rs = new ArrayList<>();
            for (String id : m.runs()) {
                for (SiteData.Run r : data.runs()) {
                    if (r.page().equals(id)) {
                        Map<String, Object> row = map(r);
                        row.put("headline", RunView.headline(runsByPage.get(id), JSON.valueToTree(data.benchmarks().get(r.benchmark()))));
                        rs.add(row);
                    }
                }
            }
            c.setVariable("runs", rs);
            write(inside(out.resolve("methods"), m.id() + ".html"), engine.process("method", c));
        }
        writeDownloads(data, out);
    }

    private static void writeDownloads(SiteData data, Path out) throws IOException {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (JsonNode b : JSON.<JsonNode>valueToTree(data.leaderboards())) {
            for (String kind : List.of("rows", "reported")) {
                for (JsonNode r : b.get(kind)) {
                    Map<String, Object> row = new LinkedHashMap<>();
                    row.put("benchmark", b.get("benchmark").asText());
                    row.put("preset", b.get("preset").asText());
                    row.put("model", kind.equals("rows") ? b.get("model").asText() : b.path("reported_model").asText());
                    row.put("kind", kind.equals("rows") ? "reproduced" : "reported");
                    row.put("method", r.get("method").asText());
                    row.put("variant", r.path("variant").asText(r.path("label").asText()));
                    row.put("seeds", r.path("n").asInt(0));
                    row.put("weights_sha256", kind.equals("rows") ? b.path("weights").asText() : null);
                    row.put("world_sha256", kind.equals("rows") ? b.path("world").asText() : null);
                    for (JsonNode c : b.get("columns")) {
                        JsonNode v = r.path("values").path(c.get("key").asText());
                        row.put(c.get("key").asText(), v.path("mean").isNumber() ? v.get("mean").asDouble() : null);
                        row.put(c.get("key").asText() + "_sd", v.path("sd").isNumber() ? v.get("sd").asDouble() : null);
                        row.put(c.get("key").asText() + "_lo", v.path("lo").isNumber() ? v.get("lo").asDouble() : null);
                        row.put(c.get("key").asText() + "_hi", v.path("hi").isNumber() ? v.get("hi").asDouble() : null);
                        row.put(c.get("key").asText() + "_vs_" + b.path("reference").asText("reference"),
                                v.path("vs_reference").asText(null));
                        row.put(c.get("key").asText() + "_p_adjusted", v.path("p_adjusted").isNumber() ? v.get("p_adjusted").asDouble() : null);
                    }
                    rows.add(row);
                }
            }
        }
        write(out.resolve("leaderboard.json"), JSON.writeValueAsString(rows) + "\n");
    }

    /**
     * A CSV cell a spreadsheet will not run: text starting with =, +, -, @, a tab or a carriage return is
     * prefixed with an apostrophe (OWASP's advice against formula injection); numbers stay numbers.
     */
    static Object cell(Object v) {
        if (v instanceof String t && !t.isEmpty() && "=+-@\t\r".indexOf(t.charAt(0)) >= 0) {
            return "'" + t;
        }
        return v;
    }

    /** {@code root/relative}, which must stay under {@code root}: the last guard against a name that escaped the checks. */
    static Path inside(Path root, String relative) {
        Path p = root.resolve(relative).normalize();
        if (!p.startsWith(root.normalize())) {
            throw new IllegalStateException(relative + " would be written outside " + root);
        }
        return p;
    }

    static TemplateEngine engine() {
        ClassLoaderTemplateResolver r = new ClassLoaderTemplateResolver(SiteBuilder.class.getClassLoader());
        r.setPrefix("org/cklbench/site/templates/");
        r.setSuffix(".html");
        r.setTemplateMode(TemplateMode.HTML);
        r.setCharacterEncoding("UTF-8");
        r.setCacheable(true);
        TemplateEngine e = new TemplateEngine();
        e.setTemplateResolver(r);
        return e;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object n) {
        return JSON.convertValue(n, LinkedHashMap.class);
    }

    @SuppressWarnings("unchecked")
    static List<Object> list(JsonNode n) {
        return JSON.convertValue(n, List.class);
    }

    private static void write(Path file, String text) throws IOException {
        AtomicFiles.writeString(file, text);
    }
}
