package org.cklbench.site;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import org.thymeleaf.context.Context;

import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** What a run page shows: headline figures, the curve (chart and table), configuration and provenance. */
final class RunView {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private RunView() {
    }

    static String num(JsonNode v) {
        if (v == null || v.isNull() || v.isMissingNode()) {
            return "–";
        }
        if (v.isIntegralNumber()) {
            return v.asText();
        }
        return v.isNumber() ? String.format(Locale.ROOT, "%.4f", v.asDouble()) : v.asText();
    }

    /** Fills a run page from the run and its benchmark's spec (site-data.json's {@code benchmarks} entry). */
    static void fill(Context c, JsonNode run, JsonNode spec) {
        JsonNode s = run.get("summary");
        List<String[]> summary = new ArrayList<>();
        for (JsonNode col : spec.path("columns")) {
            summary.add(new String[] {col.path("label").asText(), num(s.at(col.path("path").asText()))});
        }
        JsonNode curve = spec.path("curve");
        List<String> header = new ArrayList<>();
        for (JsonNode t : curve.path("table")) {
            header.add(t.path("label").asText());
        }
        List<String> xs = new ArrayList<>();
        List<List<String>> rows = new ArrayList<>();
        Map<String, List<Double>> lines = new LinkedHashMap<>();
        curve.path("series").forEach(x -> lines.put(x.path("key").asText(), new ArrayList<>()));
        for (JsonNode m : run.get("metrics")) {
            xs.add(m.path(curve.path("x").asText()).asText());
            lines.forEach((k, v) -> v.add(m.path(k).isNumber() ? m.get(k).asDouble() : Double.NaN));
            List<String> row = new ArrayList<>();
            for (JsonNode t : curve.path("table")) {
                row.add(num(m.get(t.path("key").asText())));
            }
            rows.add(row);
        }
        List<Charts.Series> series = new ArrayList<>();
        for (JsonNode x : curve.path("series")) {
            series.add(new Charts.Series(x.path("label").asText(), lines.get(x.path("key").asText())));
        }
        double yMin = curve.path("y_min").isNumber() ? curve.get("y_min").asDouble() : Double.NaN;
        double yMax = curve.path("y_max").isNumber() ? curve.get("y_max").asDouble() : Double.NaN;
        c.setVariable("chart", Charts.lines(curve.path("title").asText(), curve.path("x_label").asText(), xs,
                curve.path("y_label").asText(), series, yMin, yMax));
        c.setVariable("extraCharts", extraCharts(run, curve, xs));
        c.setVariable("stepCharts", Steps.charts(run.path("steps")));
        c.setVariable("stepsError", run.path("steps").path("error").asText(null));
        c.setVariable("summaryRows", summary);
        c.setVariable("samples", samples(run));
        c.setVariable("samplesHeading", samplesHeading(run));
        c.setVariable("verifiedAt", Labels.time(run.path("verification").path("verified_at").asText(null)));
        c.setVariable("curveHeader", header);
        c.setVariable("curveRows", rows);
        try {
            c.setVariable("config", JSON.writeValueAsString(run.get("config")));
            c.setVariable("inputs", JSON.writeValueAsString(run.path("provenance").path("inputs")));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, String> software = new LinkedHashMap<>();
        run.path("provenance").path("software").fields().forEachRemaining(e -> software.put(e.getKey(), e.getValue().asText()));
        run.path("provenance").path("method_origins").fields()
                .forEachRemaining(e -> software.put("method " + e.getKey(), e.getValue().asText()));
        Map<String, String> times = new LinkedHashMap<>();
        for (String k : List.of("started", "resumed", "finished")) {
            if (run.path("provenance").has(k)) {
                times.put(k, Labels.time(run.path("provenance").get(k).asText()));
            }
        }
        c.setVariable("software", software);
        c.setVariable("times", times);
    }

    /**
     * The curve table's other numeric columns as charts, so that a diverging run shows: the NLL columns together
     * (of each probe split), every other one (the training loss) on its own.
     */
    static List<String> extraCharts(JsonNode run, JsonNode curve, List<String> xs) {
        java.util.Set<String> drawn = new java.util.HashSet<>();
        curve.path("series").forEach(x -> drawn.add(x.path("key").asText()));
        drawn.add(curve.path("x").asText());
        List<Charts.Series> nll = new ArrayList<>();
        List<String> out = new ArrayList<>();
        for (JsonNode t : curve.path("table")) {
            String key = t.path("key").asText();
            if (drawn.contains(key)) {
                continue;
            }
            List<Double> ys = new ArrayList<>();
            boolean any = false;
            for (JsonNode m : run.get("metrics")) {
                boolean num = m.path(key).isNumber();
                any |= num;
                ys.add(num ? m.get(key).asDouble() : Double.NaN);
            }
            if (!any) {
                continue;
            }
            if (key.contains("nll")) {
                nll.add(new Charts.Series(t.path("label").asText(key), ys));
            } else {
                out.add(Charts.lines(t.path("label").asText(key) + " per " + curve.path("x_label").asText(),
                        curve.path("x_label").asText(), xs, t.path("label").asText(key), List.of(new Charts.Series(
                                t.path("label").asText(key), ys))));
            }
        }
        if (!nll.isEmpty()) {
            out.add(0, Charts.lines("NLL per " + curve.path("x_label").asText(), curve.path("x_label").asText(), xs,
                    "mean object NLL", nll));
        }
        return out;
    }

    /**
     * The heading of the run page's probes: which evaluation they are from, and whether it is the one the results
     * are read at (the summary's {@code /epoch}) or the last.
     */
    static String samplesHeading(JsonNode run) {
        String from = run.path("sample_from").asText("");
        String name = from.substring(from.lastIndexOf('/') + 1).replaceFirst("\\.jsonl$", "");
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("epoch-0*(\\d+)").matcher(name);
        String what = m.matches() ? "epoch " + m.group(1) : name;
        JsonNode epoch = run.path("summary").path("epoch");
        if (m.matches() && epoch.isIntegralNumber() && epoch.asText().equals(m.group(1))) {
            return "Probes of " + what + ", the evaluation the results above are read at";
        }
        return "Probes of the last evaluation (" + what + ")";
    }

    /** Up to 20 probes of the evaluation the results are read at (else the last), as its predictions file has them. */
    static List<Map<String, String>> samples(JsonNode run) {
        List<Map<String, String>> out = new ArrayList<>();
        for (JsonNode p : run.path("sample_predictions")) {
            Map<String, String> row = new LinkedHashMap<>();
            row.put("split", Labels.split(p.path("split").asText()));
            row.put("subject", p.path("subject").asText(""));
            row.put("relation", p.path("relation").asText(""));
            row.put("object", p.path("object").asText());
            row.put("predicted", p.path("predicted").asText(""));
            row.put("accuracy", num(p.path("accuracy")));
            row.put("object_nll", num(p.path("object_nll")));
            out.add(row);
        }
        return out;
    }

    /** One line for the method page: the spec's headline figures. */
    static String headline(JsonNode run, JsonNode spec) {
        StringBuilder sb = new StringBuilder();
        for (JsonNode col : spec.path("headline")) {
            sb.append(sb.length() == 0 ? "" : ", ").append(col.path("label").asText()).append(' ')
                    .append(num(run.get("summary").at(col.path("path").asText())));
        }
        return sb.toString();
    }
}
