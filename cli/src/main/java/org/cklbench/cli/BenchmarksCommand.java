package org.cklbench.cli;

import org.cklbench.core.benchmark.Benchmark;
import org.cklbench.core.benchmark.Presets;
import org.cklbench.core.plugin.Registries;
import org.cklbench.runfolder.LeaderboardSpec;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

@Command(name = "benchmarks", mixinStandardHelpOptions = true,
        header = "List the benchmarks with their presets and leaderboard columns.",
        description = {"List the benchmarks (built in and from --plugins): id, description, presets with their settings " +
            "and method defaults, and the leaderboard's columns."})
final class BenchmarksCommand implements Callable<Integer> {
    @Mixin
    PluginOptions plugins;

    @Option(names = "--settings", description = "Also print every setting of every preset.")
    boolean settings;

    @Override
    public Integer call() throws Exception {
        Registries registries = plugins.registries();
        for (Benchmark b : registries.benchmarks().benchmarks().values()) {
            System.out.printf("%-14s %s%n", b.id(), b.description());
            for (String name : b.presets().names()) {
                Presets.Preset p = b.presets().get(name);
                System.out.printf("  preset %-8s %s%n", name, p.description());
                if (settings) {
                    System.out.println("    settings: " + p.settings());
                    for (Map.Entry<String, Map<String, String>> m : p.methodDefaults().entrySet()) {
                        System.out.println("    " + m.getKey() + " defaults: " + m.getValue());
                    }
                }
            }
            LeaderboardSpec spec = b.leaderboard();
            System.out.println("  columns: " + spec.columns().stream()
                    .map(c -> c.label() + (c.better() > 0 ? " (higher is better)" : c.better() < 0 ? " (lower is better)" : ""))
                    .collect(Collectors.joining(", ")));
            if (b.getClass().getClassLoader() != BenchmarksCommand.class.getClassLoader()) {
                System.out.println("  from " + registries.benchmarks().origin(b.id()));
            }
        }
        System.out.println();
        System.out.println("Run one with: ckl run --benchmark ID --method ID --preset NAME (ckl run --help).");
        return 0;
    }
}
