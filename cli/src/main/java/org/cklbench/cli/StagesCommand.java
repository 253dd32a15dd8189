package org.cklbench.cli;

import org.cklbench.core.external.StageExport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
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
                + " and OUT/initial-adapter/, the seeded LoRA (a PEFT folder) a run's first stage starts from, so that a"
                + " method trained elsewhere trains on exactly what the protocol trains on, from the same start. Score the"
                + " adapters it produces with: ckl run --method external --param adapters=DIR.",
                "Inputs are found or made as for ckl run (the smoke and quick presets generate their world and base"
                + " in CKL_HOME on first use)."})
    static final class Export implements Callable<Integer> {
        @Mixin
        BenchmarkPreset what;

        @Mixin
        RunInputs inputs;

        @Option(names = "--out", required = true, description = "Folder to write (must not exist, or be empty).")
        Path out;

        @Mixin
        SettingOverrides overrides;

        @Mixin
        PluginOptions plugins;

        @Override
        public Integer call() throws Exception {
            int n = StageExport.export(what.benchmark, what.preset, inputs.seed, overrides.settings(), inputs.model, inputs.data,
                    plugins.registries(), Home.get(), new BarProgress(), out);
            System.out.println("wrote " + n + " stages to " + out);
            return 0;
        }
    }
}
