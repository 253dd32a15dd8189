package org.cklbench.core.run;

import java.nio.file.Path;
import java.util.Map;

/**
 * The inputs a run again reads, all the maintainer's own: a model folder and a data folder (null: the
 * preset's, from CKL_HOME) and a folder for each path parameter of the method ({@code taalm.ta}, say). The
 * paths a recorded run.json names are someone else's and are never opened; the SHA-256 each input file
 * had is what ties the run again to the recorded run.
 */
public record RerunInputs(Path model, Path data, Map<String, Path> pathParams) {
    public static final RerunInputs HOME = new RerunInputs(null, null, Map.of());

    public RerunInputs {
        pathParams = pathParams == null ? Map.of() : Map.copyOf(pathParams);
    }
}
