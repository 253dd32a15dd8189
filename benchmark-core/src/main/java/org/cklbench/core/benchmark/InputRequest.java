package org.cklbench.core.benchmark;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.nio.file.Path;

/**
 * What a run asks of a benchmark's inputs.
 *
 * @param settings the resolved preset settings
 * @param model    the user's model folder, or null for the preset's
 * @param data     the user's data folder, or null for the preset's
 * @param home     CKL_HOME, where generated data is cached
 */
public record InputRequest(String preset, JsonNode settings, Path model, Path data, Path home) {
    /** The preset whose inputs are real checkpoints and data that the user gives; every other preset's are generated. */
    public static final String PAPER = "paper";

    /** A model folder and a data folder; either may be null where none is known. */
    public record Folders(Path model, Path data) {
    }

    /** Makes (or finds in CKL_HOME) the generated world of a preset: its base model and its data. */
    public interface GeneratedWorld {
        Folders ensure() throws IOException;
    }

    /**
     * The user's model and data where given; what is missing comes from {@code world} for a generated preset,
     * which is made only then, and stays null for {@link #PAPER}.
     */
    public Folders folders(GeneratedWorld world) throws IOException {
        if (preset.equals(PAPER) || (model != null && data != null)) {
            return new Folders(model, data);
        }
        Folders made = world.ensure();
        return new Folders(model != null ? model : made.model(), data != null ? data : made.data());
    }
}
