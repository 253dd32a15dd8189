package org.cklbench.cli;

import picocli.CommandLine.Option;

import java.nio.file.Path;

/** The Hugging Face checkpoint a tool command reads ({@code ckl model}, {@code ckl temporalwiki eval}). */
final class ModelFolder {
    @Option(names = "--model", required = true, description = "Hugging Face checkpoint folder (its tokenizer file too, where text is scored).")
    Path model;
}
