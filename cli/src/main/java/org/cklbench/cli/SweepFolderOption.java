package org.cklbench.cli;

import org.cklbench.sweeps.SweepFolder;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/** {@code --out}, the folder of a sweep that a sweep's subcommands work on. */
final class SweepFolderOption {
    @Option(names = "--out", required = true, description = "The sweep folder.")
    Path out;

    SweepFolder folder() {
        return new SweepFolder(out);
    }
}
