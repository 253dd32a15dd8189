package org.cklbench.core.external;

import org.cklbench.core.benchmark.BenchmarkInputs;
import org.cklbench.core.benchmark.InputRequest;
import org.cklbench.core.benchmark.OpenContext;
import org.cklbench.core.benchmark.Protocol;
import org.cklbench.core.plugin.Registries;
import org.cklbench.core.run.ModelBounds;
import org.cklbench.core.run.ResolvedRun;
import org.cklbench.core.run.RunRequest;
import org.cklbench.core.state.TrainSettings;
import org.cklbench.core.train.StagePlan;
import org.cklbench.core.train.Trainer;
import ai.djl.Device;
import org.cklbench.engine.djl.PyTorchEngine;
import org.cklbench.engine.lora.LoraAdapter;
import org.cklbench.engine.lora.LoraConfig;
import org.cklbench.engine.model.LlamaConfig;
import org.cklbench.engine.tokenizer.TextTokenizer;
import org.cklbench.progress.Progress;
import org.cklbench.runfolder.RunConfig;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * {@code ckl stages export}: every stage's {@code documents.jsonl} in the order the suite's Finetune trains
 * them, with a {@code request.json} that has everything but the run's paths, and {@code initial-adapter/}, the
 * seeded LoRA initialisation a run's first stage starts from (PEFT's folder), so that a method trained
 * elsewhere trains on exactly what the protocol trains on, from where the suite's methods start.
 */
public final class StageExport {
    /** The method whose order is exported: Finetune's, whole batches of training documents a step. */
    static final String METHOD = "external";

    private StageExport() {
    }

    /** The seeded LoRA a run's first stage starts from, as {@code adapter_in} of its stage 1. */
    public static final String INITIAL_ADAPTER = "initial-adapter";

    /**
     * Writes {@code out/stage-001/...} and {@code out/initial-adapter/}; {@code out} must not exist or be empty.
     * Returns the number of stages.
     */
    public static int export(String benchmark, String preset, long seed, Map<String, String> sets, Path model, Path data,
                             Registries registries, Path home, Progress progress, Path out) throws IOException {
        if (Files.exists(out, LinkOption.NOFOLLOW_LINKS)) {
            try (var s = Files.list(out)) {
                if (!Files.isDirectory(out, LinkOption.NOFOLLOW_LINKS) || s.findAny().isPresent()) {
                    throw new IllegalArgumentException("--out " + out + " exists and is not an empty folder");
                }
            }
        }
        RunRequest r = new RunRequest(benchmark, METHOD, Map.of("command", "export"), preset, sets, model, data, seed,
                "cpu", null, 0);
        ResolvedRun resolved = ResolvedRun.of(r, registries);
        RunConfig c = resolved.config();
        TrainSettings ts = TrainSettings.of(resolved.settings());
        PyTorchEngine.initForResults();
        BenchmarkInputs in = resolved.benchmark().inputs(new InputRequest(preset, resolved.settings(), model, data, home),
                progress);
        ModelBounds.check(in.model(), resolved.settings());
        try (TextTokenizer tok = TextTokenizer.load(in.model())) {
            Protocol protocol = resolved.benchmark().open(new OpenContext(resolved.settings(), in.files(), tok,
                    ts.maxTokens()));
            List<Protocol.Stage> stages = protocol.stages();
            StagePlan plan = plan(stages, ts);
            for (int k = 1; k <= stages.size(); k++) {
                Protocol.Stage st = stages.get(k - 1);
                StageRequests.Stage about = new StageRequests.Stage(c.benchmark(), c.preset(), null, k, stages.size(),
                        st.name(), seed, c.settings(), Map.of(), schedule(plan, k, ts), false);
                Path dir = out.resolve(ExternalStages.stageFolder(k));
                Files.createDirectories(dir);
                StageRequests.writeDocuments(dir.resolve(StageRequests.DOCUMENTS), st.documents(),
                        Trainer.stageOrder(st.documents(), ts.batchSize(), ts, seed, k), false);
                StageRequests.writeRequest(dir.resolve(StageRequests.REQUEST), StageRequests.request(about, null));
            }
            try (LoraAdapter initial = LoraAdapter.init(LoraConfig.of(ts.loraR(), ts.loraAlpha(), ts.loraDropout(),
                    LoraConfig.PROJECTIONS), LlamaConfig.read(in.model()), Device.cpu(), seed)) {
                initial.save(out.resolve(INITIAL_ADAPTER), in.model().toAbsolutePath().normalize().toString());
            }
            return stages.size();
        }
    }

    /** The plan the suite's trainer makes of these stages for a method that takes whole batches (Finetune). */
    static StagePlan plan(List<Protocol.Stage> stages, TrainSettings ts) {
        return StagePlan.of(stages, documents -> Trainer.stepsPerStage(documents, ts));
    }

    /** Stage {@code stage}'s schedule (1-based) in {@code plan}, as the trainer follows it. */
    static StageRequests.Schedule schedule(StagePlan plan, int stage, TrainSettings ts) {
        Trainer.Segment seg = plan.segment(stage, ts);
        return StageRequests.schedule(stage, plan.stageSteps(), seg.start(), seg.steps(), seg.warmup());
    }
}
