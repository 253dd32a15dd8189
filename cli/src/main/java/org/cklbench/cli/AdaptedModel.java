package org.cklbench.cli;

import org.cklbench.engine.lora.LoraAdapter;
import org.cklbench.engine.model.LlamaModel;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Path;

/** A checkpoint with an optional PEFT LoRA adapter on it: what the scoring commands score. */
final class AdaptedModel {
    @Mixin
    ModelFolder folder;

    @Option(names = "--adapter", description = "PEFT LoRA adapter folder to apply.")
    Path adapter;

    Path model() {
        return folder.model;
    }

    /** {@code --adapter} loaded onto {@code m}, or null where none is given. */
    LoraAdapter loadAdapter(LlamaModel m) throws IOException {
        return adapter == null ? null : LoraAdapter.load(adapter, m);
    }
}
