package org.cklbench.cli;

import picocli.CommandLine.Option;

/**
 * The shape of the random Llama model a {@code ckl bench} command times, and its threads. Each command starts
 * the mixin with its own default shape; picocli takes the values a mixin holds as its defaults.
 */
final class BenchModel {
    @Option(names = "--hidden") int hidden;
    @Option(names = "--layers") int layers;
    @Option(names = "--heads") int heads;
    @Option(names = "--kv-heads") int kvHeads;
    @Option(names = "--inter") int inter;
    @Option(names = "--vocab") int vocab = 32000;
    @Option(names = "--threads") int threads = 2;

    BenchModel(int hidden, int layers, int heads, int kvHeads, int inter) {
        this.hidden = hidden;
        this.layers = layers;
        this.heads = heads;
        this.kvHeads = kvHeads;
        this.inter = inter;
    }
}
