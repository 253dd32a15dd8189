package org.cklbench.runfolder;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

import java.util.List;
import java.util.Map;

/**
 * What {@code ckl verify} found when it ran a run folder's configuration again: who ran it where and
 * with what, which evaluations it compared, the largest difference per metric, and the verdict.
 * {@code filesSha256} holds the SHA-256 of each file it vouches for ({@link #COVERED}) as it found them:
 * a file changed afterwards no longer counts as verified.
 *
 * @param verdict    "byte-equal" (same software, threads and machine, identical metrics lines), "within-tolerance"
 *                   (every metric within {@code tolerance}), or "failed"
 * @param evaluations how many metrics lines were compared (all of them, or those of the first K stages)
 * @param tolerance  the absolute bound for every metric without one of its own in {@code tolerances}
 * @param maxAbsDiff per metric, the largest absolute difference over the compared lines
 * @param problems   why it failed: each input file, plugin jar, line or metric that differs
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"verdict", "verified_at", "machine", "software", "threads", "stages_compared", "evaluations",
    "complete_run", "tolerance", "tolerances", "max_abs_diff", "problems", "files_sha256", "run_id"})
public record Verification(String verdict, String verifiedAt, Map<String, Object> machine, Map<String, Object> software,
                           int threads, int stagesCompared, int evaluations, boolean completeRun, double tolerance,
                           Map<String, Double> tolerances, Map<String, Double> maxAbsDiff, List<String> problems, Map<String, String> filesSha256,
                           String runId) {
    /** What the leaderboard shows of a run, all vouched for: configuration, curve, headline, intervals, columns. */
    public static final List<String> COVERED = List.of(RunFolder.RUN, RunFolder.METRICS, RunFolder.SUMMARY,
            RunFolder.BOOTSTRAP, RunFolder.BENCHMARK);
    public static final String BYTE_EQUAL = "byte-equal";
    public static final String WITHIN_TOLERANCE = "within-tolerance";
    public static final String FAILED = "failed";

    public boolean passed() {
        return BYTE_EQUAL.equals(verdict) || WITHIN_TOLERANCE.equals(verdict);
    }
}
