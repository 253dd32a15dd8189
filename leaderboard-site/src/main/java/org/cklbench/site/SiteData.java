package org.cklbench.site;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import org.cklbench.runfolder.Json;
import org.cklbench.runfolder.LeaderboardSpec;
import org.cklbench.runfolder.RunFolder;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * {@code site-data.json}, the one schema of the site: the summarize step writes it (Jackson, snake_case keys), the
 * templates render it (as the same keys), and the terminal printer and {@code ckl site build}'s report read it back.
 * A run's own figures ({@code summary}, {@code metrics}, {@code steps}) stay JSON trees: their shape is the
 * benchmark's, named by its leaderboard spec's JSON pointers and metric keys, not the site's.
 *
 * @param runs         every run shown, one page each
 * @param skipped      run folders left out, and why
 * @param leaderboards one board per benchmark, preset, base weights and world
 * @param benchmarks   each benchmark's leaderboard spec, as chosen ({@link BoardSpecs})
 * @param methods      the methods listed, installed or run
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonIgnoreProperties(ignoreUnknown = true)
public record SiteData(List<Run> runs, List<Skip> skipped, List<Board> leaderboards,
                       Map<String, LeaderboardSpec> benchmarks, List<MethodEntry> methods) {
    /** How the site writes and reads its model: records to snake_case keys, absent values left out. */
    static final ObjectMapper JSON = new ObjectMapper().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    /** The model of a built site ({@code site/site-data.json}), read with the run-folder files' bounds. */
    public static SiteData read(Path site) throws IOException {
        return Json.read(site.resolve(RunFolder.SITE_DATA), SiteData.class);
    }

    /** The model as a JSON tree, keys as written. */
    public JsonNode tree() {
        return JSON.valueToTree(this);
    }

    /**
     * A run as the site shows it: its page, what it is (benchmark, method, preset, seed), which board and row it is
     * on (base weights and world by content hash, {@code configKey}), its figures as the run folder has them, its
     * configuration and provenance, the verification's mark, and the files published with it.
     *
     * @param model          a readable name of its base model
     * @param summary        summary.json, read at the spec's JSON pointers
     * @param metrics        metrics.jsonl's lines, read at the spec's curve keys
     * @param steps          a sample of steps.jsonl for the run page's charts
     * @param samplePredictions up to 20 probes of the evaluation the summary's figures are read at (its
     *                        {@code /epoch}), else of the last evaluation
     * @param sampleFrom     the predictions file they are from, relative to the run folder
     * @param probes         probe counts per split and evaluation ({@link ProbeStats})
     * @param methodNotes    its methods' caveats, as {@code id: note}
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Run(String page, String id, String folder, String benchmark, String method, String preset, long seed,
                      String model, String weights, String world, String configKey, Map<String, Object> params,
                      Map<String, Object> variant, JsonNode summary, List<JsonNode> metrics, JsonNode steps,
                      org.cklbench.runfolder.RunConfig config, org.cklbench.runfolder.RunProvenance provenance,
                      RunVerification verification, Boolean reproducible, String reproducibleNote,
                      List<org.cklbench.runfolder.Prediction> samplePredictions, String sampleFrom, List<String> files, JsonNode probes,
                      List<String> methodNotes) {
        Run withPage(String p) {
            return new Run(p, id, folder, benchmark, method, preset, seed, model, weights, world, configKey, params,
                    variant, summary, metrics, steps, config, provenance, verification, reproducible, reproducibleNote,
                    samplePredictions, sampleFrom, files, probes, methodNotes);
        }

        Run withMethodNotes(List<String> notes) {
            return new Run(page, id, folder, benchmark, method, preset, seed, model, weights, world, configKey, params,
                    variant, summary, metrics, steps, config, provenance, verification, reproducible, reproducibleNote,
                    samplePredictions, sampleFrom, files, probes, notes);
        }

        /** Whether {@code ckl verify} vouches for the run as it is now. */
        boolean verified() {
            return verification != null && verification.valid();
        }
    }

    /**
     * The verification's mark as the site shows it ({@link RunDiscovery#verification}): valid, or the reason it is
     * not, and who verified what, where and to what tolerance.
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record RunVerification(boolean valid, String reason, String verdict, String verifiedAt, String verifiedBy,
                                  String machine, Double tolerance, String compared, Map<String, String> vouched,
                                  List<String> notVouched) {
    }

    /** A run folder left out of the site, and why. */
    public record Skip(String folder, String reason) {
    }

    /**
     * A leaderboard: which benchmark, preset, base and world it is; its columns; its measured rows, best first in
     * {@code sortedBy}; the comparisons with the reference row; the published rows and the reference lines.
     *
     * @param reference     the spec's reference method (null: the spec names none)
     * @param floor         the spec's no-training method, never marked best (null: none)
     * @param referenceRow  whether the reference method's row at the preset's settings is on the board
     * @param referenceNote why no row is marked ▲/▼, where none can be
     * @param comparisons   how many comparisons the correction counted
     * @param notes         footnotes: method caveats, then the reported rows' notes (rows point at them by number)
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Board(String benchmark, String title, String hint, String preset, String model, String weights,
                        String weightsShort, String world, String worldShort, String anchor, String sortedBy,
                        int sortedIndex, String sortedDir, List<ColumnHead> columns, String reference, String floor,
                        boolean referenceRow, String referenceNote, int comparisons, String correction, double alpha,
                        List<Row> rows, List<ReportedRow> reported, String reportedModel, String reportedSource,
                        List<String> notes, List<ReferenceValue> references, String notice, String specSource) {
        Board withSpecSource(String source) {
            return new Board(benchmark, title, hint, preset, model, weights, weightsShort, world, worldShort, anchor,
                    sortedBy, sortedIndex, sortedDir, columns, reference, floor, referenceRow, referenceNote, comparisons,
                    correction, alpha, rows, reported, reportedModel, reportedSource, notes, references, notice, source);
        }
    }

    /** A column of a board: the spec's key and labels, and which way is better (1, -1, or 0 for neither). */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record ColumnHead(String key, String label, String shortLabel, int better) {
    }

    /**
     * A measured row: one configuration, its seeds aggregated.
     *
     * @param runs             the run pages of its seeds, in seed order
     * @param verifiedRuns     for each of {@code runs}, whether {@code ckl verify} vouches for it
     * @param values           by column key; a column no seed reports is absent
     * @param mark             the footnote of its method's caveat, or null
     * @param reproducible     false where a run of the row cannot be trained again by the suite (run.json says so)
     * @param reproducibleNote why not, as run.json says (shown as text)
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Row(String method, String configKey, String variant, int n, List<String> runs, List<Long> seeds,
                      List<Boolean> verifiedRuns, boolean verified, String probes, Map<String, Cell> values,
                      Integer mark, Boolean reproducible, String reproducibleNote) {
        Row withVariant(String v) {
            return new Row(method, configKey, v, n, runs, seeds, verifiedRuns, verified, probes, values, mark,
                    reproducible, reproducibleNote);
        }

        Row withMark(Integer m) {
            return new Row(method, configKey, variant, n, runs, seeds, verifiedRuns, verified, probes, values, m,
                    reproducible, reproducibleNote);
        }
    }

    /**
     * One value of a row: the seeds' mean and standard deviation as text, the 95% interval, and the paired
     * comparison with the reference row ({@code vsReference} "better" or "worse" where the correction keeps it).
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Cell(Double mean, Double sd, String text, Double se, Double lo, Double hi, String interval,
                       String noInterval, String noComparison, Double diff, Double diffLo, Double diffHi, Double p,
                       Integer pairedSeeds, Double pAdjusted, String vsReference, Boolean best) {
        static Cell of(double mean, Double sd, String text) {
            return new Cell(mean, sd, text, null, null, null, null, null, null, null, null, null, null, null, null, null,
                    null);
        }

        Cell withInterval(double se, double lo, double hi, String interval) {
            return new Cell(mean, sd, text, se, lo, hi, interval, noInterval, noComparison, diff, diffLo, diffHi, p,
                    pairedSeeds, pAdjusted, vsReference, best);
        }

        Cell withNoInterval(String why) {
            return new Cell(mean, sd, text, se, lo, hi, interval, why, noComparison, diff, diffLo, diffHi, p,
                    pairedSeeds, pAdjusted, vsReference, best);
        }

        Cell withNoComparison(String why) {
            return new Cell(mean, sd, text, se, lo, hi, interval, noInterval, why, diff, diffLo, diffHi, p,
                    pairedSeeds, pAdjusted, vsReference, best);
        }

        Cell withDifference(double d, double lo, double hi, double pValue, int paired) {
            return new Cell(mean, sd, text, se, this.lo, this.hi, interval, noInterval, noComparison, d, lo, hi, pValue,
                    paired, pAdjusted, vsReference, best);
        }

        Cell withAdjusted(double adjusted, String vs) {
            return new Cell(mean, sd, text, se, lo, hi, interval, noInterval, noComparison, diff, diffLo, diffHi, p,
                    pairedSeeds, adjusted, vs, best);
        }

        Cell withBest() {
            return new Cell(mean, sd, text, se, lo, hi, interval, noInterval, noComparison, diff, diffLo, diffHi, p,
                    pairedSeeds, pAdjusted, vsReference, true);
        }
    }

    /** A published row of the spec, its values as cells (mean and text only), {@code mark} its footnote. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ReportedRow(String method, String label, Integer mark, Map<String, Cell> values) {
    }

    /**
     * A reference line under a board, with its value where every run that reports it agrees ({@code agreement}
     * says so), else {@code withheld} says why none is shown.
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ReferenceValue(String key, String label, String column, String columnLabel, Double value, String text,
                                 Long agreedBy, String agreement, String withheld, String note) {
    }

    /** A method as listed: installed here or described by its runs, with its parameters and its run pages. */
    public record MethodEntry(String id, String description, List<Parameter> parameters, List<String> runs) {
    }

    /** A declared parameter of a method. */
    public record Parameter(String name, String type, @com.fasterxml.jackson.annotation.JsonProperty("default") String defaultValue,
                            String description) {
    }
}
