package org.cklbench.cli;

import org.cklbench.core.benchmark.MetaExample;
import org.cklbench.core.benchmark.Benchmark;
import org.cklbench.core.method.MethodParams;
import org.cklbench.core.method.Preparation;
import org.cklbench.methods.taalm.Taalm;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "taalm", mixinStandardHelpOptions = true, description = "TAALM's Train-Attention model.", subcommands = {TaalmCommand.Train.class})
final class TaalmCommand {

    @Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
            header = "Meta-train a Train-Attention model.",
            description = {"Meta-train a Train-Attention model on a benchmark's meta-training split (LAMA-ckl's or " +
                "TemporalWiki's train_attention.jsonl): for each example θ starts again from the learner's initial " +
                "adapter, takes dummy inner steps without graph (none with --inner sgd) and one differentiated step on " +
                "the document with φ's token weights; φ follows the averaged meta-gradient of the task loss (outer AdamW); validation (task " +
                "loss after the inner update) on held-out examples keeps the best. Resumes from OUT/checkpoint.",
                "Defaults are the reference's (inner and outer AdamW at 2e-4, batch 16, 30 epochs, schematic tasks).",
                "The result, OUT/best, is what --param taalm.ta takes. It is what a taalm run with ta=auto prepares by itself " +
                "with the same ta_* parameters: the same code, in float32 whatever the run's precision."})
    static final class Train implements Callable<Integer> {
        @Option(names = "--model", required = true, description = {"The learner θ's base model, the one TAALM will train " +
            "(Hugging Face folder; the reference: Llama-2-7B)."})
        Path model;

        @Option(names = "--base", description = "φ's own base model, beside θ, with the same tokenizer (the reference:"
            + " TinyLlama-1.1B for a Llama-2-7B θ); default: --model. Pass it to runs as --param taalm.ta_base=DIR.")
        Path phiBase;

        /** Where the meta-training split is: a data folder, or the file itself (exactly one; picocli checks). */
        @picocli.CommandLine.ArgGroup(exclusive = true, multiplicity = "1")
        SplitSource source;

        static final class SplitSource {
            @Option(names = "--data", required = true,
                    description = "Folder holding train_attention.jsonl (ckl lama-ckl build writes one).")
            Path data;

            @Option(names = "--split", required = true, description = "The split file itself, instead of --data.")
            Path split;
        }

        @Option(names = "--benchmark", defaultValue = "lama-ckl", description = "Whose split format (default: ${DEFAULT-VALUE}).")
        String benchmark;

        @Mixin
        PluginOptions plugins;

        @Option(names = "--out", required = true, description = "Output folder.")
        Path out;

        @Option(names = "--epochs", defaultValue = "30", description = "Outer epochs (reference: ${DEFAULT-VALUE}).") int epochs;
        @Option(names = "--batch-size", defaultValue = "16", description = "Examples per outer step (reference: ${DEFAULT-VALUE}).") int batch;
        @Option(names = "--outer-lr", defaultValue = "2e-4", description = "Outer AdamW learning rate, weight decay 0.01 (reference: ${DEFAULT-VALUE}).") double outerLr;
        @Option(names = "--inner", defaultValue = "adamw", description = "Inner optimiser: adamw (textbook), reference (the authors' AdamW variant, what the reference runs) or sgd (default: ${DEFAULT-VALUE}).") String inner;
        @Option(names = "--inner-lr", defaultValue = "2e-4", description = "Inner learning rate (reference: ${DEFAULT-VALUE}).") double innerLr;
        @Option(names = "--dummy-steps", defaultValue = "1", description = "Graph-free inner steps before the differentiated one; --inner sgd takes none (reference: ${DEFAULT-VALUE}).") int dummy;
        @Option(names = "--lora-r", defaultValue = "64", description = "LoRA rank of φ and θ (reference: ${DEFAULT-VALUE}).") int loraR;
        @Option(names = "--lora-alpha", defaultValue = "16", description = "LoRA alpha (reference: ${DEFAULT-VALUE}).") double loraAlpha;
        @Option(names = "--max-tokens", defaultValue = "512", description = "Longest document (reference: ${DEFAULT-VALUE}).") int maxTokens;
        @Option(names = "--validate-every", defaultValue = "50", description = "Outer steps between validations (default: ${DEFAULT-VALUE}).") int validateEvery;
        @Option(names = "--validation-share", defaultValue = "0.1", description = "Share of the split held out (default: ${DEFAULT-VALUE}).") double validationShare;
        @Option(names = "--clip", defaultValue = "1.0", description = "Largest global norm of the averaged meta-gradient; 0: none, as the reference (default: ${DEFAULT-VALUE}).") double clip;
        @Option(names = "--head-init", defaultValue = "normal", description = "φ's head weight: normal (N(0, 0.001)) or reference (nn.Linear's default, as the reference's training script re-creates it) (default: ${DEFAULT-VALUE}).") String headInit;
        @Option(names = "--init-adapter", description = "PEFT adapter folder θ starts from (the reference's trained adapter); default: a fresh LoRA.") Path initAdapter;
        @Option(names = "--phi-adapter", description = "PEFT adapter folder φ's LoRA starts from; default: --init-adapter without --base, else a fresh LoRA.") Path phiAdapter;
        @Option(names = "--seed", defaultValue = "1", description = "Seed of φ's initialisation and the data order (default: ${DEFAULT-VALUE}).") long seed;

        @Mixin
        EngineOptions engine;

        /**
         * The taalm method's parameters these options stand for: the command meta-trains exactly as a run's
         * preparation ({@code ta=auto}) with those parameters does, through the same code.
         */
        MethodParams params() {
            Map<String, String> given = new LinkedHashMap<>();
            given.put("ta", "auto");
            given.put("ta_base", phiBase == null ? "model" : phiBase.toString());
            given.put("ta_epochs", Integer.toString(epochs));
            given.put("ta_batch_size", Integer.toString(batch));
            given.put("ta_lr", Double.toString(outerLr));
            given.put("ta_inner", inner);
            given.put("ta_inner_lr", Double.toString(innerLr));
            given.put("ta_dummy_steps", Integer.toString(dummy));
            given.put("ta_lora_r", Integer.toString(loraR));
            given.put("ta_lora_alpha", Double.toString(loraAlpha));
            given.put("ta_max_tokens", Integer.toString(maxTokens));
            given.put("ta_validate_every", Integer.toString(validateEvery));
            given.put("ta_validation_share", Double.toString(validationShare));
            given.put("ta_clip", Double.toString(clip));
            given.put("ta_head_init", headInit);
            given.put("init_adapter", initAdapter == null ? "none" : initAdapter.toString());
            given.put("ta_phi_adapter", phiAdapter == null ? "same" : phiAdapter.toString());
            given.put("ta_seed", Long.toString(seed));
            Taalm taalm = new Taalm();
            try {
                return MethodParams.resolve(taalm.id(), taalm.parameters(), Map.of(), given);
            } catch (IllegalArgumentException e) {
                throw new UsageError(e.getMessage());
            }
        }

        @Override
        public Integer call() throws Exception {
            if (engine.dtype != null && !engine.dtype.equals("float32")) {
                throw new UsageError("--dtype " + engine.dtype + ": meta-training computes in float32 (the"
                        + " meta-gradient's finite differences need it), as a run's preparation does");
            }
            Preparation prep = new Taalm().preparation(params());
            Benchmark b = plugins.registries().benchmarks().get(benchmark);
            List<MetaExample> examples = b.readMetaTraining(source.split != null ? source.split
                    : source.data.resolve(Benchmark.META_TRAINING_FILE));
            engine.device(); // the engine set up for results, as for a run
            Path best = prep.run(new Preparation.Context(model, examples, engine.device, new BarProgress()), out);
            System.out.println(Files.readString(out.resolve("metrics.jsonl")).trim());
            System.out.println("best Train-Attention model: " + best + (phiBase == null ? ""
                    : " (runs take it with --param taalm.ta=" + best + " --param taalm.ta_base=" + phiBase + ")"));
            return 0;
        }
    }
}
