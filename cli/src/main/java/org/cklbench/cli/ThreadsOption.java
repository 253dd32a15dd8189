package org.cklbench.cli;

import picocli.CommandLine.Option;

/** {@code --threads}, accepted so that command lines that give it still parse; results do not depend on it. */
final class ThreadsOption {
    @Option(names = "--threads", defaultValue = "0", description = "Ignored: every result is computed on the suite's pinned thread count (docs/reproducibility.md).")
    int threads;
}
