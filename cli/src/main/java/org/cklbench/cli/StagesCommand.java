package org.cklbench.cli;

import org.cklbench.core.external.StageExport;
import org.cklbench.core.plugin.Registries;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "stages", mixinStandardHelpOptions = true,
        description = "A benchmark's training stages, as an external method receives them (docs/external-methods.md).",
        subcommands = {StagesCommand.Export.class})
final class StagesCommand {

    @Command(name = "export", mixinStandardHelpOptions = true, sortOptions = false,
            header = "Write every stage's training documents in the protocol's seeded order.",
            description = {"Writes OUT/stage-001/, OUT/stage-002/, ... each with documents.jsonl (one document a line:"
                + " index, id, text, input_ids, in the order the suite's Finetune trains them at that stage) and"
                + " request.json (protocol ckl-external/1: benchmark, preset, stage, seed, settings, schedule; no paths),"
                + " so that a method trained elsewhere trains on exactly what the protocol trains on. Score the"
                + " adapters it produces with: ckl run --method external --param adapters=DIR.",
                "Inputs are found or made as for ckl run (the smoke and quick presets generate their world and base"
                + " in CKL_HOME on first use)."})
    static final class Export implements Callable<Integer> {
        @Option(names = "--benchmark", required = true, description = "A benchmark id: lama-ckl, temporalwiki, or a plugin's.")
        String benchmark;

        @Option(names = "--preset", required = true, description = "A preset of the benchmark: smoke, quick or paper.")
        String preset;

        @Option(names = "--seed", defaultValue = "1", description = "The run seed the order is drawn from (default: ${DEFAULT-VALUE}).")
        long seed;

        @Option(names = "--out", required = true, description = "Folder to write (must not exist, or be empty).")
        Path out;

        @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Override a preset setting (repeatable), as for ckl run.")
        Map<String, String> overrides = new LinkedHashMap<>();

        @Option(names = "--model", description = "Hugging Face Llama folder (the preset's own model when omitted, where it has one).")
        Path model;

        @Option(names = "--data", description = "Benchmark data folder (the preset's own data when omitted, where it has one).")
        Path data;

        @Option(names = "--plugins", description = "Folder of plugins (a plugin benchmark).")
        Path plugins;

        @Override
        public Integer call() throws Exception {
            int n = StageExport.export(benchmark, preset, seed, overrides, model, data, Registries.load(plugins),
                    Home.get(), new BarProgress(), out);
            System.out.println("wrote " + n + " stages to " + out);
            return 0;
        }
    }
}
