package org.cklbench.cli;

import picocli.CommandLine.Option;

import java.nio.file.Path;

/** A run's model, data and seed, where they are given rather than the preset's; {@code ckl run} and {@code ckl stages export}. */
final class RunInputs {
    @Option(names = "--model", description = "Hugging Face Llama folder (the preset's own model when omitted, where it has one).")
    Path model;

    @Option(names = "--data", description = "Benchmark data folder (the preset's own data when omitted, where it has one).")
    Path data;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of every random choice (default: ${DEFAULT-VALUE}).")
    long seed;
}
