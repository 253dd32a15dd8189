package org.cklbench.site;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.cklbench.runfolder.InputFiles;
import org.cklbench.runfolder.LeaderboardSpec;
import org.cklbench.runfolder.MethodInfo;
import org.cklbench.runfolder.Replicates;
import org.cklbench.runfolder.RunConfig;
import org.cklbench.runfolder.RunFolder;
import org.cklbench.runfolder.RunRecord;
import org.cklbench.runfolder.Verification;
import org.cklbench.runfolder.VouchedRunJson;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Discovery and validation, the summarize step's first job: each complete run folder ({@link RunFolder#completeUnder})
 * read on its own, within bounds, its names checked to be plain, its verification checked against what it vouches
 * for; a folder that fails any check is left out with the reason. What it reads knows no other run.
 */
final class RunDiscovery {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Joins the parts of a board's key; no name, hash or path holds it. */
    static final String SEP = "\u0001";

    private RunDiscovery() {
    }

    /**
     * Every complete run folder under {@code runs}, read; those that cannot be are added to {@code skipped}, and so
     * is every incomplete one (a run.json without summary.json: running now, or stopped before its end), so that a
     * build never leaves a run out without saying so.
     */
    static List<Read> discover(Path runs, Map<String, MethodInfo> installed, List<SiteData.Skip> skipped)
            throws IOException {
        List<Path> all = RunFolder.runsUnder(runs);
        for (Path dir : all) {
            if (!RunFolder.isComplete(dir)) {
                skipped.add(new SiteData.Skip(runs.relativize(dir).toString(), incompleteReason(new RunFolder(dir))));
            }
        }
        List<Read> read = new ArrayList<>();
        for (Path dir : all) {
            if (!RunFolder.isComplete(dir)) {
                continue;
            }
            try {
                read.add(Read.of(runs, new RunFolder(dir), installed));
            } catch (IOException | RuntimeException e) {
                skip(skipped, runs.relativize(dir).toString(), e);
            }
        }
        return read;
    }

    /** Why an incomplete run folder is left out: running now (its lock is held), or stopped before its end. */
    static String incompleteReason(RunFolder folder) {
        boolean running;
        try {
            running = folder.running();
        } catch (IOException | RuntimeException e) {
            running = false; // a lock that cannot be tried (a read-only copy): no process of this host is writing it
        }
        return running ? "incomplete: running now (no " + RunFolder.SUMMARY + " yet); build again when it has finished"
                : "incomplete: it has " + RunFolder.RUN + " but no " + RunFolder.SUMMARY + " (stopped before its end;"
                + " run it again with --resume to finish it)";
    }

    /**
     * A name that can become a file name and a relative link as it is: letters, digits, '.', '_', '+'
     * and '-', not starting with '.', no "..", at most 200 characters. Run folders, method ids and
     * presets from run folders must be such names, or the run is left out.
     */
    static boolean safeName(String s) {
        return s != null && s.matches("[A-Za-z0-9][A-Za-z0-9._+-]{0,199}") && !s.contains("..");
    }

    /** A regular file that is not a symbolic link. */
    static boolean regular(Path p) {
        return Files.isRegularFile(p, java.nio.file.LinkOption.NOFOLLOW_LINKS);
    }

    /** A readable name of a run's base model, from its folder. */
    static String modelLabel(String path) {
        Path p = Path.of(path);
        if (p.getFileName() == null) {
            return path;
        }
        String name = p.getFileName().toString();
        Path parent = p.getParent();
        if (parent != null && parent.getFileName() != null && parent.getFileName().toString().startsWith("world-")) {
            return "tiny base of " + parent.getFileName();
        }
        if (parent != null && parent.getFileName() != null && name.equals("model")) {
            return parent.getFileName().toString();
        }
        return name;
    }

    /** A run left out: its folder and why (an error of an unexpected kind says what it was, not a bare "null"). */
    static void skip(List<SiteData.Skip> skipped, String folder, Exception e) {
        String reason = e instanceof IOException || e instanceof IllegalArgumentException ? e.getMessage()
                : "cannot be read (" + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage())
                + ")";
        skipped.add(new SiteData.Skip(folder, String.valueOf(reason)));
    }

    /** One run folder as read, before the benchmark's spec and the other runs are known. */
    record Read(RunRecord record, LeaderboardSpec spec, SiteData.Run run, Replicates replicates) {
        static Read of(Path runs, RunFolder folder, Map<String, MethodInfo> installed) throws IOException {
            for (String f : List.of(RunFolder.RUN, RunFolder.SUMMARY, RunFolder.BENCHMARK)) {
                Path p = folder.dir().resolve(f);
                if (regular(p) && Files.size(p) > MAX_RECORD_BYTES) {
                    throw new IOException(p + " is larger than " + (MAX_RECORD_BYTES >> 20) + " MiB; not a " + f
                            + " this suite writes");
                }
            }
            RunRecord record = folder.run();
            if (record.config() == null) {
                throw new IOException(folder.dir().resolve(RunFolder.RUN) + " has no config");
            }
            LeaderboardSpec spec = folder.benchmarkSpec();
            SiteData.Run run = readRun(runs, folder, record, installed);
            return new Read(record, spec, run, folder.replicates());
        }

        String folder() {
            return run.folder();
        }

        /** The board the run is on: benchmark, preset, base weights and world. */
        String board() {
            return String.join(SEP, run.benchmark(), run.preset(), run.weights(), run.world());
        }

        boolean verified() {
            return run.verified();
        }
    }

    /**
     * The run's verification as the site shows it: valid only when {@code ckl verify} passed for this
     * run id, ran it all again, says who verified and what it vouches for, and every file and run.json field it
     * vouches for is as it found them (a file edited afterwards, a file it did not vouch for, or a
     * verification copied from another run, does not count). A bundle's own verification.json never gets
     * here: reading a bundle drops it, so a mark is always one made after unpacking. Null when there is none.
     */
    static SiteData.RunVerification verification(RunFolder folder, RunRecord record) throws IOException {
        Verification v;
        try {
            v = folder.verification();
        } catch (IOException | RuntimeException e) {
            return new SiteData.RunVerification(false, "verification.json is unreadable: " + e.getMessage(), null, null,
                    null, null, null, null, null, null);
        }
        if (v == null) {
            return null;
        }
        String reason = !v.passed() ? "verification " + v.verdict()
                : record.config() == null || !java.util.Objects.equals(v.runId(), record.config().id())
                        ? "verification.json is another run's"
                : !v.completeRun() ? "only the first " + v.stagesCompared() + " stages were run again"
                : v.verifiedBy() == null || v.vouched() == null || v.vouched().isEmpty() || v.filesSha256() == null
                        || v.runJsonSha256() == null || v.notVouched() == null
                        ? "verification.json does not say who verified and what it vouches for (an older ckl verify's,"
                        + " or not ckl verify's); verify again"
                : changedSince(folder, v);
        return new SiteData.RunVerification(reason == null, reason, String.valueOf(v.verdict()),
                String.valueOf(v.verifiedAt()), String.valueOf(v.verifiedBy()), v.machine() == null ? "unknown"
                : "machine " + v.machine().getOrDefault("id", "?") + " (" + v.machine().getOrDefault("cpu", "?") + ", "
                + v.machine().getOrDefault("cpus", "?") + " CPUs)", v.tolerance(), v.completeRun() ? "the whole run"
                : "the first " + v.stagesCompared() + " stages (" + v.evaluations() + " evaluations)",
                v.vouched() == null ? Map.of() : v.vouched(), v.notVouched() == null ? List.of() : v.notVouched());
    }

    /**
     * Null when every file the verification vouches for is as it found it, every file the site shows is among
     * them, and run.json's vouched fields are as they were; else what changed.
     */
    private static String changedSince(RunFolder folder, Verification v) throws IOException {
        Map<String, String> vouched = v.filesSha256();
        Map<String, String> now = folder.coveredSha256();
        for (String f : Verification.COVERED) {
            if (now.containsKey(f) && !vouched.containsKey(f)) {
                return f + " is not vouched for by the verification (added after it, or never compared)";
            }
        }
        for (Map.Entry<String, String> f : vouched.entrySet()) {
            if (!java.util.Objects.equals(now.get(f.getKey()), f.getValue())) {
                return f.getKey() + " changed after it was verified";
            }
        }
        if (!VouchedRunJson.sha256(folder.dir().resolve(RunFolder.RUN), v.notVouched()).equals(v.runJsonSha256())) {
            return "run.json changed after it was verified";
        }
        return null;
    }

    /** The largest run.json, summary.json or benchmark.json read (the suite writes a few KB). */
    static final long MAX_RECORD_BYTES = 4L << 20;
    /** The most lines of metrics.jsonl read per run: one per evaluation, and a run evaluates far fewer times. */
    static final int MAX_METRICS_LINES = 10_000;
    /** The largest metrics.jsonl read per run. */
    static final long MAX_METRICS_BYTES = 16L << 20;

    /**
     * The declared parameters of the parts of {@code method} as installed here, for the rule that a parameter
     * following the seed by default does not split a row: a run's own run.json could declare any parameter so
     * and pool its row with others, so a part not installed here has none that follows the seed.
     */
    static List<MethodInfo> installedParts(String method, Map<String, MethodInfo> installed) {
        List<MethodInfo> out = new ArrayList<>();
        for (String part : method.split("\\+")) {
            MethodInfo m = installed.get(part);
            if (m != null) {
                out.add(m);
            }
        }
        return out;
    }

    private static SiteData.Run readRun(Path runs, RunFolder folder, RunRecord record, Map<String, MethodInfo> installed)
            throws IOException {
        Path dir = folder.dir();
        RunConfig config = record.config();
        String page = dir.getFileName().toString();
        if (!safeName(page)) {
            throw new IOException("the folder name " + page + " cannot name a page (letters, digits, . _ + - only)");
        }
        for (String[] named : new String[][] {{"method", config.method()}, {"preset", config.preset()},
            {"benchmark", config.benchmark()}}) {
            if (!safeName(named[1])) {
                throw new IOException("run.json's " + named[0] + " '" + named[1] + "' is not a plain name");
            }
        }
        for (String f : List.of(RunFolder.RUN, RunFolder.SUMMARY, RunFolder.BENCHMARK, RunFolder.METRICS)) {
            if (Files.isSymbolicLink(dir.resolve(f))) {
                throw new IOException(f + " is a symbolic link; a run folder's files must be its own");
            }
        }
        InputFiles modelInput = record.provenance() == null || record.provenance().inputs() == null ? null
                : record.provenance().inputs().get("model");
        String model = modelInput != null && modelInput.path() != null ? modelInput.path() : config.model();
        String label = model == null ? "unknown" : modelLabel(model);
        // boards and rows by content, not by path (RowKeys); a run without hashes keeps its path apart
        String weights = RowKeys.weights(record.provenance());
        String world = RowKeys.world(record.provenance());
        // A sample of the probes for the run page, from the evaluation its figures are read at (the summary's epoch,
        // a Top-Acc epoch), else the last; the files hold all of them.
        // from the published files only: a predictions/ that is a link out of the folder is neither shown nor copied
        List<String> published = PublishedFiles.of(dir);
        List<String> predictions = published.stream().filter(f -> f.startsWith(RunFolder.PREDICTIONS + "/")).toList();
        JsonNode summary = JSON.valueToTree(folder.summary());
        List<String> behind = ProbeStats.evaluations(published, summary);
        String sampleFrom = predictions.isEmpty() ? null : behind.size() == 1 && summary.path("epoch").isIntegralNumber()
                ? behind.get(0) : predictions.get(predictions.size() - 1);
        return new SiteData.Run(page, record.id() != null ? record.id() : page, runs.relativize(dir).toString(),
                config.benchmark(), config.method(), config.preset(), config.seed(), label,
                weights != null ? weights : "unknown (no hashes; model at " + label + ")",
                world != null ? world : "unknown (no hashes; data at " + config.data() + ")",
                RowKeys.row(config, record.provenance(), installedParts(config.method(), installed)),
                config.methodParams(), record.variant() == null ? Map.of() : record.variant(), summary,
                List.copyOf(folder.metrics(MAX_METRICS_LINES, MAX_METRICS_BYTES)), Steps.sampled(folder), config, record.provenance(),
                verification(folder, record), record.reproducible(), record.reproducibleNote(),
                sampleFrom == null ? List.of() : RunFolder.readPredictions(dir.resolve(sampleFrom), 20), sampleFrom,
                published, ProbeStats.of(dir, ProbeStats.evaluations(published, summary)), null);
    }

}
