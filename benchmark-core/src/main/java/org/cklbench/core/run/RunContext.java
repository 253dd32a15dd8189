package org.cklbench.core.run;

import org.cklbench.core.benchmark.Benchmark;
import org.cklbench.core.method.MethodRegistry;
import org.cklbench.core.method.ResolvedMethod;
import org.cklbench.progress.Progress;
import org.cklbench.runfolder.RunConfig;
import org.cklbench.runfolder.RunFolder;

import java.nio.file.Path;
import java.util.Map;

/**
 * Everything the loop needs to execute one run: its configuration, benchmark and input files, the
 * method with its parameters and prepared folders, and the folder it writes.
 *
 * @param stopAfter the last stage to run (0: every stage); a run stopped early writes no summary
 */
public record RunContext(RunConfig config, Benchmark benchmark, Map<String, Path> inputs, ResolvedMethod method,
                         MethodRegistry methods, RunFolder folder, boolean resume, Progress progress, int stopAfter) {
}
