package org.cklbench.cli;

import picocli.CommandLine.Option;

/**
 * The shape of the random Llama model a {@code ckl bench} command times, and its threads. Each command starts
 * the mixin with its own default shape; picocli takes the values a mixin holds as its defaults.
 */
final class BenchModel {
    @Option(names = "--hidden", description = "Hidden size of the random model (default: ${DEFAULT-VALUE}).") int hidden;
    @Option(names = "--layers", description = "Decoder layers (default: ${DEFAULT-VALUE}).") int layers;
    @Option(names = "--heads", description = "Attention heads (default: ${DEFAULT-VALUE}).") int heads;
    @Option(names = "--kv-heads", description = "Key/value heads, fewer than --heads for grouped-query attention"
            + " (default: ${DEFAULT-VALUE}).") int kvHeads;
    @Option(names = "--inter", description = "MLP intermediate size (default: ${DEFAULT-VALUE}).") int inter;
    @Option(names = "--vocab", description = "Vocabulary size (default: ${DEFAULT-VALUE}).") int vocab = 32000;
    @Option(names = "--threads", description = "PyTorch intra-op threads (default: ${DEFAULT-VALUE}).") int threads = 2;

    BenchModel(int hidden, int layers, int heads, int kvHeads, int inter) {
        this.hidden = hidden;
        this.layers = layers;
        this.heads = heads;
        this.kvHeads = kvHeads;
        this.inter = inter;
    }
}
