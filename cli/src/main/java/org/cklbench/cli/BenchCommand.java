package org.cklbench.cli;

import org.cklbench.core.eval.EvalBench;
import org.cklbench.engine.bench.TrainStepBench;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.concurrent.Callable;

@Command(name = "bench", mixinStandardHelpOptions = true, description = "Benchmarks of the engine (medians on this machine).",
        subcommands = {BenchCommand.TrainStep.class, BenchCommand.Eval.class})
final class BenchCommand {

    @Command(name = "train-step", mixinStandardHelpOptions = true,
            header = "Time one LoRA (or full) training step of a Llama model.",
            description = {"One LoRA (or --full) training step of a Llama model, timed as shared/bench/torch_step.py " +
                "times PyTorch eager: same flags, same shapes. Prints one JSON line with median_step_s, tokens_per_s, " +
                "forward_tokens_per_s, median_step_cpu_s and median_forward_cpu_s (the calling thread's CPU seconds: " +
                "all the work at --threads 1, and far steadier than wall time on a shared machine) and the peak and final RSS."})
    static final class TrainStep implements Callable<Integer> {
        @Mixin BenchModel model = new BenchModel(256, 4, 8, 4, 688);
        @Option(names = "--batch", defaultValue = "8", description = "Sequences per step (default: ${DEFAULT-VALUE}).") int batch;
        @Option(names = "--seq", defaultValue = "128", description = "Tokens per sequence (default: ${DEFAULT-VALUE}).") int seq;
        @Option(names = "--rank", defaultValue = "8", description = "LoRA rank (default: ${DEFAULT-VALUE}).") int rank;
        @Option(names = "--steps", defaultValue = "20", description = "Timed steps (default: ${DEFAULT-VALUE}).") int steps;
        @Option(names = "--warmup", defaultValue = "3", description = "Untimed steps first, for the JIT and allocator"
            + " (default: ${DEFAULT-VALUE}).") int warmup;
        @Option(names = "--forward-steps", defaultValue = "10", description = "Timed forward-only passes.") int forwardSteps;
        @Option(names = "--full", description = "Train every weight instead of LoRA adapters.") boolean full;
        @Option(names = "--profile", paramLabel = "TRACE.json", description = {"After the timed steps, run a few under " +
            "PyTorch's profiler: write its Chrome trace to TRACE.json and add a per-operation summary to the output."})
        java.nio.file.Path profile;

        @Override
        public Integer call() {
            var o = new TrainStepBench.Options(model.hidden, model.layers, model.heads, model.kvHeads, model.inter,
                    model.vocab, batch, seq, rank, steps, model.threads, warmup, full, forwardSteps, profile);
            System.out.println(TrainStepBench.run(o));
            return 0;
        }
    }

    @Command(name = "eval", mixinStandardHelpOptions = true,
            header = "Measure the probe evaluation throughput.",
            description = {"Probe evaluation throughput: a random model of the given shape scores synthetic LAMA-shaped " +
                "probes (8-24 tokens, 1-3-token objects) through the evaluator every stage uses. Prints one JSON line " +
                "with probes_per_s (median of the repeats), tokens_per_s and the peak RSS.",
                "Quick world's base: --hidden 128 --inter 512 --layers 4 --heads 4 --kv-heads 2 --vocab <its vocab>; " +
                "TinyLlama-1.1B: --hidden 2048 --inter 5632 --layers 22 --heads 32 --kv-heads 4."})
    static final class Eval implements Callable<Integer> {
        @Mixin BenchModel model = new BenchModel(128, 4, 4, 2, 512);
        @Option(names = "--probes", defaultValue = "512", description = "Probes per repeat (default: ${DEFAULT-VALUE}).") int probes;
        @Option(names = "--batch", defaultValue = "64", description = "Evaluation batch size (default: ${DEFAULT-VALUE}).") int batch;
        @Option(names = "--repeats", defaultValue = "5", description = "Timed repeats; the median is reported"
            + " (default: ${DEFAULT-VALUE}).") int repeats;

        @Override
        public Integer call() {
            System.out.println(EvalBench.run(new EvalBench.Options(model.hidden, model.layers, model.heads, model.kvHeads,
                    model.inter, model.vocab, probes, batch, repeats, model.threads)));
            return 0;
        }
    }
}
