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

    static void fill(Context c, JsonNode run) {
        boolean lama = run.get("benchmark").asText().equals("lama-ckl");
        JsonNode s = run.get("summary");
        List<String[]> summary = new ArrayList<>();
        List<String> header = new ArrayList<>();
        List<List<String>> rows = new ArrayList<>();
        List<String> xs = new ArrayList<>();
        List<Charts.Series> series = new ArrayList<>();
        if (lama) {
            String[][] keys = {{"top_acc", "Top Acc"}, {"epoch", "Epoch"}, {"nf_acc", "NF Acc"},
                {"total_knowledge", "Total Knowledge"}};
            for (String[] k : keys) {
                summary.add(new String[] {k[1], num(s.get(k[0]))});
            }
            header.addAll(List.of("epoch", "To-Learn acc", "Not-To-Forget acc", "To-Learn NLL", "Not-To-Forget NLL", "train loss"));
            List<Double> learn = new ArrayList<>();
            List<Double> keep = new ArrayList<>();
            for (JsonNode m : run.get("metrics")) {
                xs.add(m.get("epoch").asText());
                learn.add(m.get("to_learn_acc").asDouble());
                keep.add(m.get("not_to_forget_acc").asDouble());
                rows.add(List.of(m.get("epoch").asText(), num(m.get("to_learn_acc")), num(m.get("not_to_forget_acc")),
                        num(m.get("to_learn_nll")), num(m.get("not_to_forget_nll")), num(m.get("train_loss"))));
            }
            series.add(new Charts.Series("To-Learn", learn));
            series.add(new Charts.Series("Not-To-Forget", keep));
            c.setVariable("chart", Charts.lines("Accuracy per epoch", "epoch", xs, "accuracy", series, 0, 1));
        } else {
            header.addAll(List.of("period", "Un", "C", "Avg", "train loss"));
            List<Double> un = new ArrayList<>();
            List<Double> ch = new ArrayList<>();
            List<Double> avg = new ArrayList<>();
            for (JsonNode m : run.get("metrics")) {
                xs.add(m.get("period").asText());
                un.add(m.get("un").asDouble());
                ch.add(m.get("c").asDouble());
                avg.add(m.get("avg").asDouble());
                rows.add(List.of(m.get("period").asText(), num(m.get("un")), num(m.get("c")), num(m.get("avg")),
                        num(m.get("train_loss"))));
                summary.add(new String[] {m.get("period").asText() + " Un / C / Avg",
                        num(m.get("un")) + " / " + num(m.get("c")) + " / " + num(m.get("avg"))});
            }
            series.add(new Charts.Series("Un", un));
            series.add(new Charts.Series("C", ch));
            series.add(new Charts.Series("Avg", avg));
            c.setVariable("chart", Charts.lines("Object NLL per period", "period", xs, "mean object NLL", series));
        }
        c.setVariable("summaryRows", summary);
        c.setVariable("samples", samples(run));
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
                times.put(k, run.path("provenance").get(k).asText());
            }
        }
        c.setVariable("software", software);
        c.setVariable("times", times);
    }

    /** Up to 20 probes of the last evaluation, as the run folder's predictions file has them. */
    static List<Map<String, String>> samples(JsonNode run) {
        List<Map<String, String>> out = new ArrayList<>();
        JsonNode last = run.path("last_predictions");
        for (JsonNode p : last) {
            Map<String, String> row = new LinkedHashMap<>();
            row.put("split", p.path("split").asText());
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

    /** One line for the method page. */
    static String headline(JsonNode run) {
        JsonNode s = run.get("summary");
        if (run.get("benchmark").asText().equals("lama-ckl")) {
            return "Top Acc " + num(s.get("top_acc")) + ", NF Acc " + num(s.get("nf_acc")) + ", Total Knowledge "
                    + num(s.get("total_knowledge"));
        }
        return "mean Avg " + num(s.get("mean_avg"));
    }
}
