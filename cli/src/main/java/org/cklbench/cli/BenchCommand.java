package org.cklbench.cli;

import org.cklbench.engine.bench.TrainStepBench;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.concurrent.Callable;

@Command(name = "bench", mixinStandardHelpOptions = true, description = "Benchmarks of the engine (medians on this machine).",
        subcommands = {BenchCommand.TrainStep.class})
final class BenchCommand {

    @Command(name = "train-step", mixinStandardHelpOptions = true,
            description = {"One LoRA (or --full) training step of a Llama model, timed as shared/bench/torch_step.py",
                "times PyTorch eager: same flags, same shapes. Prints one JSON line with median_step_s, tokens_per_s,",
                "forward_tokens_per_s and the peak and final RSS."})
    static final class TrainStep implements Callable<Integer> {
        @Option(names = "--hidden", defaultValue = "256") int hidden;
        @Option(names = "--layers", defaultValue = "4") int layers;
        @Option(names = "--heads", defaultValue = "8") int heads;
        @Option(names = "--kv-heads", defaultValue = "4") int kvHeads;
        @Option(names = "--inter", defaultValue = "688") int inter;
        @Option(names = "--vocab", defaultValue = "32000") int vocab;
        @Option(names = "--batch", defaultValue = "8") int batch;
        @Option(names = "--seq", defaultValue = "128") int seq;
        @Option(names = "--rank", defaultValue = "8") int rank;
        @Option(names = "--steps", defaultValue = "20", description = "Timed steps (default: ${DEFAULT-VALUE}).") int steps;
        @Option(names = "--threads", defaultValue = "2") int threads;
        @Option(names = "--warmup", defaultValue = "3") int warmup;
        @Option(names = "--forward-steps", defaultValue = "10", description = "Timed forward-only passes.") int forwardSteps;
        @Option(names = "--full", description = "Train every weight instead of LoRA adapters.") boolean full;
        @Option(names = "--profile", paramLabel = "TRACE.json", description = {"After the timed steps, run a few under",
            "PyTorch's profiler: write its Chrome trace to TRACE.json and add a per-operation summary to the output."})
        java.nio.file.Path profile;

        @Override
        public Integer call() {
            var o = new TrainStepBench.Options(hidden, layers, heads, kvHeads, inter, vocab, batch, seq, rank, steps,
                    threads, warmup, full, forwardSteps, profile);
            System.out.println(TrainStepBench.run(o));
            return 0;
        }
    }
}
