package org.cklbench.cli;

import org.cklbench.core.plugin.Registries;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Path;

/** Where plugin jars come from; shared by every command that loads the method and benchmark registries. */
final class PluginOptions {
    @Option(names = "--plugins", description = "Folder of plugin jars (methods and benchmarks) to load.")
    Path plugins;

    /** The folder given, or null. */
    Path dir() {
        return plugins;
    }

    /** The built-in methods and benchmarks and those of the jars in {@code --plugins}. */
    Registries registries() throws IOException {
        return Registries.load(plugins);
    }
}
