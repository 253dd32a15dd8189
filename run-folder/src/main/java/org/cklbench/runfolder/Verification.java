package org.cklbench.runfolder;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

import java.util.List;
import java.util.Map;

/**
 * What {@code ckl verify} found when it ran a run folder's configuration again: who ran it where and
 * with what, which evaluations it compared, the largest difference per metric, the verdict, and exactly
 * what it vouches for. It vouches only for what it compared with the run again: {@code vouched} says how
 * each file was compared, {@code filesSha256} holds the SHA-256 of each whole file vouched for as it found
 * it, and run.json is vouched for field by field: every field but the JSON pointers in {@code notVouched}
 * (the submitter's own account: paths, times, software), hashed as {@link VouchedRunJson} gives them in
 * {@code runJsonSha256}. A file or field changed afterwards no longer counts as verified.
 *
 * @param verdict     "byte-equal" (same software, threads and machine, identical metrics lines), "within-tolerance"
 *                    (every metric within {@code tolerance}), or "failed"
 * @param verifiedBy  who ran the verification ({@code --by}, or the user's name)
 * @param machine     where: an identifier of the machine (a hash, no host name or path), its CPU, CPU count and OS
 * @param evaluations how many metrics lines were compared (all of them, or those of the first K stages)
 * @param tolerance   the absolute bound for every metric without one of its own in {@code tolerances}
 * @param maxAbsDiff  per metric, the largest absolute difference over the compared lines
 * @param problems    why it failed: each input file, plugin jar, line, field or metric that differs
 * @param vouched     each file vouched for, and how it was compared; nothing else is vouched for
 * @param notVouched  run.json's fields (JSON pointers) that are not vouched for
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"verdict", "verified_at", "verified_by", "machine", "software", "threads", "stages_compared",
    "evaluations", "complete_run", "tolerance", "tolerances", "max_abs_diff", "problems", "vouched", "not_vouched",
    "files_sha256", "run_json_sha256", "run_id"})
public record Verification(String verdict, String verifiedAt, String verifiedBy, Map<String, Object> machine,
                           Map<String, Object> software, int threads, int stagesCompared, int evaluations,
                           boolean completeRun, double tolerance, Map<String, Double> tolerances,
                           Map<String, Double> maxAbsDiff, List<String> problems, Map<String, String> vouched,
                           List<String> notVouched, Map<String, String> filesSha256, String runJsonSha256,
                           String runId) {
    /**
     * The files the leaderboard shows of a run (besides run.json): curve, headline, intervals, board spec. A
     * passing verification of a complete run vouches for each one present, or the site does not show it verified.
     */
    public static final List<String> COVERED = List.of(RunFolder.METRICS, RunFolder.SUMMARY, RunFolder.BOOTSTRAP,
            RunFolder.BENCHMARK);
    public static final String BYTE_EQUAL = "byte-equal";
    public static final String WITHIN_TOLERANCE = "within-tolerance";
    public static final String FAILED = "failed";

    public boolean passed() {
        return BYTE_EQUAL.equals(verdict) || WITHIN_TOLERANCE.equals(verdict);
    }
}
