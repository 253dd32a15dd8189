package org.cklbench.temporalwiki;

import org.cklbench.io.Folders;
import org.cklbench.io.Hashing;
import org.cklbench.io.JsonLines;
import org.cklbench.progress.Progress;
import org.cklbench.datasets.world.World;
import org.cklbench.datasets.world.WorldBase;
import org.cklbench.datasets.world.WorldFiles;
import org.cklbench.datasets.world.WorldSnapshots;
import org.cklbench.temporalwiki.build.SnapshotBuilder;
import org.cklbench.temporalwiki.build.WikipediaText;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * TemporalWiki over a synthetic world (presets smoke and quick): the world's four snapshots written as
 * Wikidata and Wikipedia dumps, and the probes and diffsets of the three periods built from them by the
 * same {@link SnapshotBuilder} as for real snapshots. One subject in five is held out of the benchmark:
 * its documents and changed facts make the meta-training split ({@code train_attention.jsonl}), so
 * TAALM's weights never come from text the benchmark then probes.
 */
public final class WorldTemporalWiki {
    private WorldTemporalWiki() {
    }

    static World.Spec spec(String preset) {
        return preset.equals("smoke") ? World.Spec.smoke() : World.Spec.quick();
    }

    static WorldBase.Recipe recipe(String preset) {
        return preset.equals("smoke") ? WorldBase.Recipe.smoke() : WorldBase.Recipe.quick();
    }

    /** Subjects kept for Train-Attention training, never probed or trained on by the benchmark. */
    static boolean heldOut(String subject) {
        return Math.floorMod(Hashing.sha256(subject).hashCode(), 5) == 0;
    }

    /** [0] the base model, [1] the TemporalWiki data folder (probes/, diffsets/, review/, train_attention.jsonl). */
    public static Path[] ensure(Path home, String preset, Progress progress) throws IOException {
        World.Spec spec = spec(preset);
        Path world = WorldFiles.ensure(home, spec);
        Path base = WorldBase.ensure(world, recipe(preset), progress);
        Path data = world.resolve("temporalwiki-v2");
        if (!Files.isRegularFile(data.resolve("review").resolve("review.jsonl"))) {
            Path snaps = snapshots(world, spec);
            Path tmp = Files.createTempDirectory(world, ".temporalwiki.");
            for (Period p : Period.ALL) {
                SnapshotBuilder.Result r = SnapshotBuilder.build(snaps.resolve("snapshot-" + p.index()),
                        snaps.resolve("snapshot-" + (p.index() + 1)), spec.seed() + p.index());
                SnapshotBuilder.write(r, tmp, p.probes(), p.name(), s -> !heldOut(s));
                if (p.index() == 0) {
                    JsonLines.write(tmp.resolve(TemporalWikiBenchmark.META_TRAINING), metaTraining(r, p));
                }
            }
            // Mix-review's review data on TemporalWiki: the text of the snapshot before the first period.
            List<Map<String, String>> review = new ArrayList<>();
            WikipediaText.read(snaps.resolve("snapshot-0").resolve("wikipedia.jsonl")).forEach((title, text) -> {
                if (!heldOut(title)) {
                    review.add(Map.of("text", text));
                }
            });
            JsonLines.write(Files.createDirectories(tmp.resolve("review")).resolve("review.jsonl"), review);
            Folders.publish(tmp, data);
        }
        return new Path[] {base, data};
    }

    /**
     * The meta-training split: the held-out subjects' diff documents of the first period, each with a
     * changed fact of that subject (rows {@code {id, text, subject, relation, object}}).
     */
    private static List<Map<String, String>> metaTraining(SnapshotBuilder.Result r, Period first) {
        List<Map<String, String>> rows = new ArrayList<>();
        for (TwikiProbe p : r.changed()) {
            String doc = r.diff().get(p.subject());
            if (heldOut(p.subject()) && doc != null) {
                Map<String, String> row = new java.util.LinkedHashMap<>();
                row.put("id", first.name() + "/" + p.subject() + "/" + p.relation());
                row.put("text", doc);
                row.put("subject", p.subject());
                row.put("relation", p.relation());
                row.put("object", p.object());
                rows.add(row);
            }
        }
        return rows;
    }

    private static Path snapshots(Path world, World.Spec spec) throws IOException {
        Path snaps = world.resolve("snapshots");
        if (!Files.isRegularFile(snaps.resolve("snapshot-" + (spec.snapshots() - 1)).resolve("wikipedia.jsonl"))) {
            Path tmp = Files.createTempDirectory(world, ".snapshots.");
            WorldSnapshots.write(World.generate(spec), tmp);
            Folders.publish(tmp, snaps);
        }
        return snaps;
    }
}
