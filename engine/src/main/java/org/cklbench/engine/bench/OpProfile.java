package org.cklbench.engine.bench;

import ai.djl.pytorch.jni.JniUtils;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Where a step's time goes, from PyTorch's own profiler (through DJL): the Chrome trace of a few steps,
 * each operation's self time (its time less that of the operations it called), grouped by kind and,
 * for matrix products, by the part of the model their shapes name (the LM head has the vocabulary as a
 * dimension, a LoRA product the rank). Time outside every operation is the Java side and JNI.
 */
final class OpProfile {
    /** The dimensions that tell model parts apart. */
    record Shapes(int hidden, int vocab, int rank, int seq) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> MATMUL = Set.of("aten::mm", "aten::bmm", "aten::addmm", "aten::matmul",
            "aten::linear", "aten::baddbmm");
    private static final Set<String> LOSS = Set.of("aten::_log_softmax", "aten::_log_softmax_backward_data",
            "aten::nll_loss_forward", "aten::nll_loss_backward", "aten::gather", "aten::scatter", "aten::scatter_add_",
            "aten::logsumexp");
    private static final String LOSS_KIND = "softmax and loss over the vocabulary";
    private static final Set<String> SOFTMAX = Set.of("aten::_softmax", "aten::_softmax_backward_data");
    private static final Set<String> MEMORY = Set.of("aten::fill_", "aten::zero_", "aten::zeros", "aten::copy_",
            "aten::_to_copy", "aten::clone", "aten::contiguous", "aten::cat", "aten::empty", "aten::empty_strided",
            "aten::empty_like", "aten::zeros_like", "aten::ones", "aten::ones_like", "aten::index_select",
            "aten::embedding", "aten::embedding_dense_backward", "aten::stack");
    private static final Set<String> VIEWS = Set.of("aten::view", "aten::reshape", "aten::t", "aten::transpose",
            "aten::as_strided", "aten::select", "aten::slice", "aten::expand", "aten::unsqueeze", "aten::squeeze",
            "aten::permute", "aten::_unsafe_view", "aten::resolve_conj", "aten::resolve_neg", "aten::to",
            "aten::detach", "aten::alias", "aten::lift_fresh", "aten::_reshape_alias", "aten::flatten",
            "aten::numpy_T", "aten::expand_as", "aten::view_as", "aten::split", "aten::narrow", "aten::chunk");

    private OpProfile() {
    }

    /** Runs {@code steps} steps under the profiler, writes the trace to {@code trace}, returns its summary. */
    static ObjectNode profile(Path trace, int steps, Runnable step, Shapes shapes) {
        JniUtils.startProfile(false, true, false);
        long t0 = System.nanoTime();
        for (int i = 0; i < steps; i++) {
            step.run();
        }
        double wall = (System.nanoTime() - t0) / 1e9;
        JniUtils.stopProfile(trace.toAbsolutePath().toString());
        try {
            ObjectNode s = summarize(JSON.readTree(trace.toFile()), wall, steps, shapes);
            s.put("trace", trace.toString());
            return s;
        } catch (IOException e) {
            throw new UncheckedIOException(trace + ": the profiler's trace could not be read", e);
        }
    }

    private record Event(String name, String shape, double start, double dur, long tid) {
        double end() {
            return start + dur;
        }
    }

    /** The summary of a Chrome trace (a list of events, or an object with traceEvents). */
    static ObjectNode summarize(JsonNode trace, double wallSeconds, int steps, Shapes shapes) {
        JsonNode events = trace.isArray() ? trace : trace.path("traceEvents");
        List<Event> all = new ArrayList<>();
        for (JsonNode e : events) {
            if ("X".equals(e.path("ph").asText())) {
                all.add(new Event(e.path("name").asText(), e.path("shape").toString(), e.path("ts").asDouble(),
                        e.path("dur").asDouble(), e.path("tid").asLong()));
            }
        }
        // self time: each event's duration less its children's, children found by nesting on a thread
        all.sort(Comparator.comparingLong(Event::tid).thenComparingDouble(Event::start)
                .thenComparing(Comparator.comparingDouble(Event::dur).reversed()));
        Map<Event, Double> self = new LinkedHashMap<>();
        Deque<Event> stack = new ArrayDeque<>();
        double topLevel = 0;
        long tid = Long.MIN_VALUE;
        for (Event e : all) {
            if (e.tid() != tid) {
                stack.clear();
                tid = e.tid();
            }
            while (!stack.isEmpty() && stack.peek().end() <= e.start()) {
                stack.pop();
            }
            self.put(e, e.dur());
            if (stack.isEmpty()) {
                topLevel += e.dur();
            } else {
                self.merge(stack.peek(), -e.dur(), Double::sum);
            }
            stack.push(e);
        }
        Map<String, Double> byKind = new TreeMap<>();
        Map<String, Double> byPart = new TreeMap<>();
        Map<String, double[]> byOp = new LinkedHashMap<>();
        double total = 0;
        for (Map.Entry<Event, Double> x : self.entrySet()) {
            Event e = x.getKey();
            double us = x.getValue();
            total += us;
            String kind = kind(e.name());
            if (SOFTMAX.contains(e.name()) && e.shape().contains(String.valueOf(shapes.vocab()))) {
                kind = LOSS_KIND; // the training loss's softmax (HeadBackward), not attention's
            }
            byKind.merge(kind, us, Double::sum);
            if (kind.equals("matrix products")) {
                byPart.merge(part(e, shapes), us, Double::sum);
            }
            double[] o = byOp.computeIfAbsent(e.name() + " " + e.shape(), k -> new double[2]);
            o[0]++;
            o[1] += us;
        }
        double wallUs = wallSeconds * 1e6;
        ObjectNode out = JSON.createObjectNode();
        out.put("steps", steps);
        out.put("wall_s", seconds(wallSeconds));
        out.put("in_operations_s", seconds(topLevel / 1e6));
        out.put("outside_operations_share", round(Math.max(0, wallUs - topLevel) / wallUs));
        ObjectNode kinds = out.putObject("share_by_kind");
        byKind.entrySet().stream().sorted(Map.Entry.<String, Double>comparingByValue().reversed())
                .forEach(k -> kinds.put(k.getKey(), round(k.getValue() / wallUs)));
        ObjectNode parts = out.putObject("matrix_products_share_by_part");
        byPart.entrySet().stream().sorted(Map.Entry.<String, Double>comparingByValue().reversed())
                .forEach(k -> parts.put(k.getKey(), round(k.getValue() / wallUs)));
        ArrayNode top = out.putArray("top_operations");
        byOp.entrySet().stream().sorted((a, b) -> Double.compare(b.getValue()[1], a.getValue()[1])).limit(15)
                .forEach(k -> top.addObject().put("op", k.getKey()).put("calls_per_step", k.getValue()[0] / steps)
                        .put("ms_per_step", round(k.getValue()[1] / 1e3 / steps))
                        .put("share", round(k.getValue()[1] / wallUs)));
        out.put("self_time_total_s", seconds(total / 1e6));
        return out;
    }

    static String kind(String name) {
        if (MATMUL.contains(name)) {
            return "matrix products";
        }
        if (LOSS.contains(name)) {
            return LOSS_KIND;
        }
        if (SOFTMAX.contains(name)) {
            return "attention softmax";
        }
        if (MEMORY.contains(name)) {
            return "fills, copies, casts, gathers";
        }
        if (VIEWS.contains(name)) {
            return "views (no data moved)";
        }
        if (!name.startsWith("aten::")) {
            return "autograd bookkeeping";
        }
        return "elementwise and reductions";
    }

    /** The model part a matrix product belongs to, by its operands' shapes. */
    static String part(Event e, Shapes s) {
        String shape = e.shape();
        if (shape.contains(String.valueOf(s.vocab()))) {
            return "LM head";
        }
        if (s.rank() > 0 && (shape.contains("," + s.rank() + "]") || shape.contains("[" + s.rank() + ",")
                || shape.contains("," + s.rank() + ","))) {
            return "LoRA";
        }
        if (e.name().equals("aten::bmm")) {
            return "attention (scores and values)";
        }
        return "projections (attention and MLP)";
    }

    private static double seconds(double x) {
        return Math.round(x * 1e6) / 1e6;
    }

    private static double round(double x) {
        return Math.round(x * 1e4) / 1e4;
    }
}
