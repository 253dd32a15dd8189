package org.cklbench.core.run;

import org.cklbench.progress.Progress;

import java.io.IOException;
import java.util.List;

/** A benchmark protocol (LAMA-ckl, TemporalWiki), found with {@link java.util.ServiceLoader}. */
public interface Benchmark {
    String id();

    String description();

    List<String> presets();

    /**
     * Resolves the preset into settings and inputs, generating preset data as needed (a world, a
     * pretrained base: minutes, reported to {@code progress}; cached in CKL_HOME).
     */
    RunPlan plan(RunRequest request, Progress progress) throws IOException;

    /** Runs the protocol into the context's run folder, resuming from its checkpoint when asked. */
    void execute(RunContext context) throws IOException;
}
