package org.cklbench.cli;

import picocli.CommandLine.Option;

/**
 * Which benchmark and preset ({@code ckl stages export}). {@code ckl run} declares the two again inside its
 * argument group, where picocli allows no mixin (and a group class that inherited them would list them before
 * --method), with the same help text from here.
 */
final class BenchmarkPreset {
    static final String BENCHMARK = "A benchmark id: lama-ckl, temporalwiki, or a plugin's (see ckl benchmarks).";
    static final String PRESET = "A preset of the benchmark: smoke, quick or paper for the built-in ones.";

    @Option(names = "--benchmark", required = true, description = BENCHMARK)
    String benchmark;

    @Option(names = "--preset", required = true, description = PRESET)
    String preset;
}
