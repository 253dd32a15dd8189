package org.cklbench.core.benchmark;

import com.fasterxml.jackson.databind.JsonNode;

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
}
