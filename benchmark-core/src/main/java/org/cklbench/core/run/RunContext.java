package org.cklbench.core.run;

import org.cklbench.progress.Progress;
import org.cklbench.runfolder.RunFolder;

import org.cklbench.core.method.MethodRegistry;

/** Everything a benchmark needs to execute one run. */
public record RunContext(RunRequest request, RunPlan plan, RunFolder folder, MethodRegistry methods, boolean resume,
                         Progress progress) {
}
