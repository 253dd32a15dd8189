package org.cklbench.lamackl.build;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.cklbench.io.AtomicFiles;
import org.cklbench.io.JsonLines;
import org.cklbench.lamackl.LamaCklRow;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Predicate;

/**
 * Building LAMA-ckl, steps 4–5 (docs/protocols.md): the four splits chosen from scored candidates by the selection rules, with
 * seeded sampling, leak removal and the dedup report.
 */
public final class LamaCklBuilder {
    public static final int TO_LEARN_P530_CAP = 130;
    public static final int TRAIN_ATTENTION_P530_CAP = 350;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The chosen splits and the report. */
    public record Result(List<LamaCklRow> toLearn, List<LamaCklRow> notToForgetDescriptive,
                         List<LamaCklRow> notToForgetSchematic, List<LamaCklRow> trainAttention, ObjectNode report) {
    }

    private LamaCklBuilder() {
    }

    /**
     * @param candidates scored rows (facts without scores are counted and left out)
     * @param size the sample size of To-Learn and of each Not-To-Forget split
     * @param strict also drop Not-To-Forget documents that duplicate a To-Learn document
     */
    public static Result select(List<LamaCklRow> candidates, int size, long seed, boolean strict) throws IOException {
        List<LamaCklRow> eligible = new ArrayList<>();
        int unscored = 0;
        int filtered = 0;
        for (LamaCklRow r : candidates) {
            if (!Candidates.eligible(r)) {
                filtered++;
            } else if (Double.isNaN(Scores.mean(r, "descriptive")) || Double.isNaN(Scores.mean(r, "schematic"))) {
                unscored++;
            } else {
                eligible.add(r);
            }
        }
        eligible.sort(Comparator.comparing(LamaCklRow::uuid));

        List<LamaCklRow> poolLearn = filter(eligible, r -> !r.invariant() && d(r) == 0 && s(r) == 0);
        List<LamaCklRow> poolDesc = filter(eligible, r -> r.invariant() && d(r) == 1);
        List<LamaCklRow> poolSchem = filter(eligible, r -> r.invariant() && s(r) == 1);
        List<LamaCklRow> poolTa = filter(eligible, r -> d(r) < 0.5 && s(r) < 0.5);

        List<LamaCklRow> toLearn = sample(poolLearn, size, TO_LEARN_P530_CAP, new SplittableRandom(seed));
        Set<String> learnUuids = uuids(toLearn);

        // Which pool documents duplicate a To-Learn document (exact or near evidence, or the same triple).
        List<Dedup.Doc> probe = new ArrayList<>();
        toLearn.forEach(r -> probe.add(new Dedup.Doc("to_learn", r)));
        addAll(probe, "pool_descriptive", poolDesc);
        addAll(probe, "pool_schematic", poolSchem);
        addAll(probe, "pool_train_attention", poolTa);
        Set<String> dupOfLearn = new HashSet<>();
        for (Dedup.Pair p : Dedup.find(probe)) {
            boolean aLearn = p.a().split().equals("to_learn");
            boolean bLearn = p.b().split().equals("to_learn");
            if (aLearn != bLearn) {
                Dedup.Doc other = aLearn ? p.b() : p.a();
                dupOfLearn.add(other.split() + "/" + other.row().uuid());
            }
        }
        Map<String, Object> removed = new LinkedHashMap<>();
        if (strict) {
            poolDesc = dropDuplicates(poolDesc, "pool_descriptive", dupOfLearn, removed, "not_to_forget_descriptive");
            poolSchem = dropDuplicates(poolSchem, "pool_schematic", dupOfLearn, removed, "not_to_forget_schematic");
        }
        List<LamaCklRow> ntfD = sample(poolDesc, size, Integer.MAX_VALUE, new SplittableRandom(seed + 1));
        List<LamaCklRow> ntfS = sample(poolSchem, size, Integer.MAX_VALUE, new SplittableRandom(seed + 2));
        List<LamaCklRow> ta = filter(poolTa, r -> !learnUuids.contains(r.uuid()));
        ta = dropDuplicates(ta, "pool_train_attention", dupOfLearn, removed, "train_attention");
        ta = sample(ta, Integer.MAX_VALUE, TRAIN_ATTENTION_P530_CAP, new SplittableRandom(seed + 3));

        List<Dedup.Doc> finalDocs = new ArrayList<>();
        addAll(finalDocs, "to_learn", toLearn);
        addAll(finalDocs, "not_to_forget_descriptive", ntfD);
        addAll(finalDocs, "not_to_forget_schematic", ntfS);
        addAll(finalDocs, "train_attention", ta);
        Map<String, Integer> sizes = new LinkedHashMap<>();
        sizes.put("to_learn", toLearn.size());
        sizes.put("not_to_forget_descriptive", ntfD.size());
        sizes.put("not_to_forget_schematic", ntfS.size());
        sizes.put("train_attention", ta.size());
        ObjectNode report = DedupReport.build(sizes, Dedup.find(finalDocs), removed);
        ObjectNode sel = report.putObject("selection");
        sel.put("candidates", candidates.size());
        sel.put("failed_length_or_mention_filter", filtered);
        sel.put("unscored", unscored);
        sel.put("pool_to_learn", poolLearn.size());
        sel.put("pool_not_to_forget_descriptive", poolDesc.size());
        sel.put("pool_not_to_forget_schematic", poolSchem.size());
        sel.put("pool_train_attention", poolTa.size());
        sel.put("size", size);
        sel.put("seed", seed);
        sel.put("strict", strict);
        return new Result(toLearn, ntfD, ntfS, ta, report);
    }

    public static void write(Result r, Path out) throws IOException {
        Files.createDirectories(out);
        JsonLines.write(out.resolve("variant.jsonl"), r.toLearn().stream().map(LamaCklRow::toJson).toList());
        JsonLines.write(out.resolve("invariant_descriptive.jsonl"), r.notToForgetDescriptive().stream().map(LamaCklRow::toJson).toList());
        JsonLines.write(out.resolve("invariant_schematic.jsonl"), r.notToForgetSchematic().stream().map(LamaCklRow::toJson).toList());
        JsonLines.write(out.resolve(org.cklbench.core.benchmark.Benchmark.META_TRAINING_FILE), r.trainAttention().stream().map(LamaCklRow::toJson).toList());
        AtomicFiles.writeString(out.resolve("dedup-report.json"),
                JSON.writerWithDefaultPrettyPrinter().writeValueAsString(r.report()) + "\n");
    }

    private static double d(LamaCklRow r) {
        return Scores.mean(r, "descriptive");
    }

    private static double s(LamaCklRow r) {
        return Scores.mean(r, "schematic");
    }

    private static List<LamaCklRow> filter(List<LamaCklRow> rows, Predicate<LamaCklRow> keep) {
        return rows.stream().filter(keep).toList();
    }

    private static Set<String> uuids(List<LamaCklRow> rows) {
        Set<String> out = new HashSet<>();
        rows.forEach(r -> out.add(r.uuid()));
        return out;
    }

    private static void addAll(List<Dedup.Doc> docs, String split, List<LamaCklRow> rows) {
        rows.forEach(r -> docs.add(new Dedup.Doc(split, r)));
    }

    private static List<LamaCklRow> dropDuplicates(List<LamaCklRow> pool, String poolName, Set<String> dupOfLearn,
                                                   Map<String, Object> removed, String split) {
        List<String> gone = new ArrayList<>();
        List<LamaCklRow> keep = new ArrayList<>();
        for (LamaCklRow r : pool) {
            if (dupOfLearn.contains(poolName + "/" + r.uuid())) {
                gone.add(r.uuid());
            } else {
                keep.add(r);
            }
        }
        removed.put(split + "_duplicating_to_learn", gone);
        return keep;
    }

    /**
     * A seeded sample of up to {@code n} rows (pool in uuid order, shuffled), taking at most
     * {@code p530Cap} of relation P530.
     */
    static List<LamaCklRow> sample(List<LamaCklRow> pool, int n, int p530Cap, SplittableRandom rng) {
        List<LamaCklRow> shuffled = new ArrayList<>(pool);
        for (int i = shuffled.size() - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            LamaCklRow t = shuffled.get(i);
            shuffled.set(i, shuffled.get(j));
            shuffled.set(j, t);
        }
        List<LamaCklRow> out = new ArrayList<>();
        int p530 = 0;
        for (LamaCklRow r : shuffled) {
            if (out.size() >= n) {
                break;
            }
            if (r.relationCode().equals("P530")) {
                if (p530 >= p530Cap) {
                    continue;
                }
                p530++;
            }
            out.add(r);
        }
        return out;
    }

    /** Copies scores (by uuid) onto candidates; returns how many got none. */
    public static int attachScores(List<LamaCklRow> rows, Map<String, JsonNode> scores) {
        int missing = 0;
        for (LamaCklRow r : rows) {
            JsonNode s = scores.get(r.uuid());
            if (s == null) {
                missing++;
                continue;
            }
            ObjectNode target = (ObjectNode) r.scores();
            target.set("descriptive", s.get("descriptive").deepCopy());
            target.set("schematic", s.get("schematic").deepCopy());
        }
        return missing;
    }
}
