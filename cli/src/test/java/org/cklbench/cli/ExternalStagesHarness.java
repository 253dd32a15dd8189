package org.cklbench.cli;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.cklbench.core.benchmark.Benchmark;
import org.cklbench.core.benchmark.InputRequest;
import org.cklbench.core.benchmark.OpenContext;
import org.cklbench.core.benchmark.Protocol;
import org.cklbench.core.eval.ProbeEvaluator;
import org.cklbench.core.eval.ProbeResult;
import org.cklbench.core.state.TrainSettings;
import org.cklbench.core.state.TrainingDocument;
import org.cklbench.core.train.Trainer;
import org.cklbench.engine.lora.LoraAdapter;
import org.cklbench.engine.lora.LoraConfig;
import org.cklbench.engine.model.HfModels;
import org.cklbench.engine.model.LlamaModel;
import org.cklbench.engine.tokenizer.TextTokenizer;
import org.cklbench.progress.Progress;
import org.cklbench.runfolder.RunConfig;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The external-method protocol (docs/external-methods.md, ckl-external/1) driven from a test, for the
 * differential test of the PyTorch example against the suite's Finetune while {@code --method external}
 * is not on this branch: for each stage of a recorded run's configuration it writes the request and the
 * documents in the order the suite's Trainer takes them, runs the command, loads the adapter it wrote
 * and evaluates the stage's probes as StageLoop does. Its metrics lines are then compared with the
 * suite's own run's. Where {@code --method external} exists, the test runs through it instead.
 */
final class ExternalStagesHarness {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ExternalStagesHarness() {
    }

    /** The metrics lines (evaluation 0 first where the protocol has one) of {@code command} trained under {@code c}. */
    static List<ObjectNode> run(Benchmark benchmark, RunConfig c, Path home, List<String> command, Path work)
            throws Exception {
        ObjectNode s = c.settings();
        TrainSettings ts = TrainSettings.of(s);
        Map<String, Path> inputs = benchmark.inputs(new InputRequest(c.preset(), s, null, null, home), Progress.NONE).files();
        Path modelDir = inputs.get("model").toAbsolutePath();
        List<ObjectNode> metrics = new ArrayList<>();
        try (LlamaModel model = HfModels.load(modelDir, Device.cpu(), DataType.FLOAT32);
             TextTokenizer tok = TextTokenizer.load(modelDir)) {
            Protocol protocol = benchmark.open(new OpenContext(s, inputs, tok, ts.maxTokens()));
            ProbeEvaluator evaluator = new ProbeEvaluator(model, tok, s.get("eval_batch_size").asInt());
            List<Protocol.Stage> stages = protocol.stages();
            if (protocol.evaluatesBeforeTraining()) {
                metrics.add(evaluate(protocol, evaluator, 0, null));
            }
            Path adapterIn = work.resolve("initial-adapter");
            try (LoraAdapter init = LoraAdapter.init(LoraConfig.of(ts.loraR(), ts.loraAlpha(), ts.loraDropout(),
                    LoraConfig.PROJECTIONS), model, c.seed())) {
                init.save(adapterIn, modelDir.toString());
            }
            long total = 0;
            for (Protocol.Stage st : stages) {
                total += Trainer.stepsPerStage(st.documents().size(), ts);
            }
            long before = 0;
            Path stateIn = work.resolve("state-000");
            Files.createDirectories(stateIn);
            for (int k = 1; k <= stages.size(); k++) {
                Protocol.Stage st = stages.get(k - 1);
                if (st.freshOptimizer()) {
                    throw new IllegalArgumentException("this harness plans one optimiser segment (LAMA-ckl)");
                }
                Path dir = work.resolve(String.format("stage-%03d", k));
                Path adapterOut = Files.createDirectories(dir.resolve("adapter"));
                Path stateOut = Files.createDirectories(dir.resolve("state"));
                List<TrainingDocument> docs = st.documents();
                int[] order = Trainer.order(docs.size(), c.seed(), k);
                StringBuilder lines = new StringBuilder();
                for (int i : order) {
                    TrainingDocument d = docs.get(i);
                    Map<String, Object> line = new LinkedHashMap<>();
                    line.put("index", i);
                    line.put("id", d.id());
                    line.put("text", d.text());
                    line.put("input_ids", d.ids());
                    lines.append(JSON.writeValueAsString(line)).append('\n');
                }
                Path documents = dir.resolve("documents.jsonl");
                Files.writeString(documents, lines, StandardCharsets.UTF_8);
                long steps = Trainer.stepsPerStage(docs.size(), ts);
                ObjectNode req = JSON.createObjectNode();
                req.put("protocol", "ckl-external/1");
                req.put("benchmark", c.benchmark());
                req.put("preset", c.preset());
                req.put("method", "external");
                req.put("stage", k);
                req.put("stages", stages.size());
                req.put("stage_name", st.name());
                req.put("seed", c.seed());
                req.set("settings", s.deepCopy());
                req.putObject("params");
                req.put("base_model", modelDir.toString());
                req.put("adapter_in", adapterIn.toString());
                req.put("adapter_out", adapterOut.toString());
                req.put("state_in", stateIn.toString());
                req.put("state_out", stateOut.toString());
                req.put("documents", documents.toString());
                ObjectNode sched = req.putObject("schedule");
                sched.put("steps_in_stage", steps);
                sched.put("steps_before_stage", before);
                sched.put("segment_steps", total);
                sched.put("fresh_optimizer", false);
                sched.put("warmup_steps", Math.round(ts.warmupRatio() * total));
                Path request = dir.resolve("request.json");
                Files.writeString(request, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(req));
                List<String> cmd = new ArrayList<>(command);
                cmd.add(request.toString());
                Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                        .redirectOutput(dir.resolve("log.txt").toFile()).start();
                p.getOutputStream().close();
                if (!p.waitFor(600, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    throw new IOException("stage " + k + ": " + cmd + " ran past 600 s");
                }
                if (p.exitValue() != 0) {
                    throw new IOException("stage " + k + ": " + cmd + " exited " + p.exitValue() + ":\n"
                            + Files.readString(dir.resolve("log.txt")));
                }
                try (LoraAdapter trained = LoraAdapter.load(adapterOut, model)) {
                    metrics.add(evaluate(protocol, evaluator, k, trained));
                }
                adapterIn = adapterOut;
                stateIn = stateOut;
                before += steps;
            }
        }
        return metrics;
    }

    private static ObjectNode evaluate(Protocol protocol, ProbeEvaluator evaluator, int stage, LoraAdapter adapter) {
        Map<String, List<ProbeResult>> results = new LinkedHashMap<>();
        for (Protocol.ProbeSet set : protocol.probes(stage)) {
            results.put(set.split(), evaluator.evaluate(set.probes(),
                    adapter == null ? org.cklbench.engine.model.ForwardHooks.NONE : adapter, i -> { }));
        }
        return protocol.metrics(stage, results);
    }

    /** Each stage's training losses as the method logged them (state/steps.jsonl), stage after stage. */
    static List<Double> stepLosses(Path work) throws IOException {
        List<Double> out = new ArrayList<>();
        for (int k = 1; Files.isDirectory(work.resolve(String.format("stage-%03d", k))); k++) {
            for (String line : Files.readAllLines(work.resolve(String.format("stage-%03d", k)).resolve("state").resolve("steps.jsonl"))) {
                out.add(JSON.readTree(line).get("loss").asDouble());
            }
        }
        return out;
    }
}
