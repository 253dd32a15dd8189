package org.cklbench.temporalwiki;

import org.cklbench.io.Folders;
import org.cklbench.io.JsonLines;
import org.cklbench.progress.Progress;
import org.cklbench.datasets.world.World;
import org.cklbench.datasets.world.WorldPreset;
import org.cklbench.datasets.world.WorldSnapshots;
import org.cklbench.temporalwiki.build.SnapshotBuilder;
import org.cklbench.temporalwiki.build.WikipediaText;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

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

    /** Subjects kept for Train-Attention training (one in five), never probed or trained on by the benchmark. */
    static final Predicate<String> HELD_OUT = SnapshotBuilder.heldOut(0.2);

    static boolean heldOut(String subject) {
        return HELD_OUT.test(subject);
    }

    /** A preset's inputs: the base model, and the TemporalWiki data folder (probes/, diffsets/, review/, train_attention.jsonl). */
    public record Inputs(Path base, Path data) {
    }

    /** The preset's inputs, each made when absent. */
    public static Inputs ensure(Path home, String preset, Progress progress) throws IOException {
        WorldPreset worldPreset = WorldPreset.of(preset);
        World.Spec spec = worldPreset.spec();
        WorldPreset.Made made = worldPreset.ensure(home, progress);
        Path world = made.world();
        Path base = made.base();
        Path data = world.resolve("temporalwiki-v3");
        if (!Files.isRegularFile(data.resolve("review").resolve("review.jsonl"))) {
            Path snaps = snapshots(world, spec);
            Path tmp = org.cklbench.io.TempPaths.directory(world, ".temporalwiki.");
            List<Map<String, String>> split = new ArrayList<>();
            for (Period p : Period.ALL) {
                SnapshotBuilder.Result r = SnapshotBuilder.build(snaps.resolve("snapshot-" + p.index()),
                        snaps.resolve("snapshot-" + (p.index() + 1)), spec.seed() + p.index());
                SnapshotBuilder.write(r, tmp, p.probes(), p.name(), s -> !heldOut(s));
                split.addAll(SnapshotBuilder.metaTraining(r, p.name(), HELD_OUT));
            }
            JsonLines.write(tmp.resolve(TemporalWikiBenchmark.META_TRAINING), split);
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
        return new Inputs(base, data);
    }

    private static Path snapshots(Path world, World.Spec spec) throws IOException {
        Path snaps = world.resolve("snapshots");
        if (!Files.isRegularFile(snaps.resolve("snapshot-" + (spec.snapshots() - 1)).resolve("wikipedia.jsonl"))) {
            Path tmp = org.cklbench.io.TempPaths.directory(world, ".snapshots.");
            WorldSnapshots.write(World.generate(spec), tmp);
            Folders.publish(tmp, snaps);
        }
        return snaps;
    }
}
