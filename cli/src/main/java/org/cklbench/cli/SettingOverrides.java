package org.cklbench.cli;

import picocli.CommandLine.Option;

import java.util.LinkedHashMap;
import java.util.Map;

/** {@code --set KEY=VALUE}: preset settings overridden, in the order given. */
final class SettingOverrides {
    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Override a preset setting (repeatable), e.g. --set epochs=5 --set lr=2e-4.")
    Map<String, String> overrides = new LinkedHashMap<>();

    /** KEY to VALUE, in the order given. */
    Map<String, String> settings() {
        return overrides;
    }
}
