package org.cklbench.temporalwiki;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import org.cklbench.io.Folders;
import org.cklbench.io.FileLocks;
import org.cklbench.io.Hashing;
import org.cklbench.io.JsonLines;
import org.cklbench.engine.model.HfModels;
import org.cklbench.engine.model.LlamaModel;
import org.cklbench.progress.Progress;
import org.cklbench.methods.taalm.TaTrainer;
import org.cklbench.engine.tokenizer.TextTokenizer;
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
import java.util.function.Predicate;

/**
 * TemporalWiki over a synthetic world (presets smoke and quick): the world's four snapshots written as
 * Wikidata and Wikipedia dumps, and the probes and diffsets of the three periods built from them by the
 * same {@link SnapshotBuilder} as for real snapshots. One subject in five is held out of the benchmark:
 * its documents and changed facts train the Train-Attention model, so TAALM's weights never come from
 * text the benchmark then probes.
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

    /** [0] the base model, [1] the TemporalWiki data folder (probes/, diffsets/, review/). */
    public static Path[] ensure(Path home, String preset, Progress progress) throws IOException {
        World.Spec spec = spec(preset);
        Path world = WorldFiles.ensure(home, spec);
        Path base = WorldBase.ensure(world, recipe(preset), progress);
        Path data = world.resolve("temporalwiki-v1");
        if (!Files.isRegularFile(data.resolve("review").resolve("review.jsonl"))) {
            Path snaps = snapshots(world, spec);
            Path tmp = Files.createTempDirectory(world, ".temporalwiki.");
            for (Period p : Period.ALL) {
                SnapshotBuilder.Result r = SnapshotBuilder.build(snaps.resolve("snapshot-" + p.index()),
                        snaps.resolve("snapshot-" + (p.index() + 1)), spec.seed() + p.index());
                SnapshotBuilder.write(r, tmp, p.probes(), p.name(), s -> !heldOut(s));
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

    private static Path snapshots(Path world, World.Spec spec) throws IOException {
        Path snaps = world.resolve("snapshots");
        if (!Files.isRegularFile(snaps.resolve("snapshot-" + (spec.snapshots() - 1)).resolve("wikipedia.jsonl"))) {
            Path tmp = Files.createTempDirectory(world, ".snapshots.");
            WorldSnapshots.write(World.generate(spec), tmp);
            Folders.publish(tmp, snaps);
        }
        return snaps;
    }

    /**
     * The Train-Attention model of the preset: meta-trained on the held-out subjects' first-period diff
     * documents, each with the schematic task of a changed fact of that subject.
     */
    public static Path ensureTrainAttention(Path home, String preset, Progress progress) throws IOException {
        Path[] in = ensure(home, preset, progress);
        World.Spec spec = spec(preset);
        Path world = WorldFiles.ensure(home, spec);
        TaTrainer.Settings settings = TaTrainer.Settings.preset(preset);
        Path out = world.resolve("train-attention-twiki-" + Hashing.sha256(settings.toString()).substring(0, 8));
        if (Files.isRegularFile(out.resolve("done"))) {
            return out.resolve("best");
        }
        Period first = Period.ALL.get(0);
        Path snaps = world.resolve("snapshots");
        SnapshotBuilder.Result r = SnapshotBuilder.build(snaps.resolve("snapshot-0"), snaps.resolve("snapshot-1"), spec.seed());
        Predicate<String> held = WorldTemporalWiki::heldOut;
        List<TaTrainer.Example> examples = new ArrayList<>();
        for (TwikiProbe p : r.changed()) {
            String doc = r.diff().get(p.subject());
            if (held.test(p.subject()) && doc != null) {
                examples.add(new TaTrainer.Example(first.name() + "/" + p.subject() + "/" + p.relation(), doc, p.sentence(),
                        p.object()));
            }
        }
        if (examples.size() < 2) {
            throw new IOException("the held-out subjects of the " + preset + " world give " + examples.size()
                    + " Train-Attention examples; too few to meta-train");
        }
        // concurrent runs sharing CKL_HOME: one meta-trains, the others wait, then reuse it
        try (FileLocks.Held lock = FileLocks.acquire(world.resolve(out.getFileName() + ".lock"), progress::note)) {
            if (Files.isRegularFile(out.resolve("done"))) {
                return out.resolve("best");
            }
            try (LlamaModel model = HfModels.load(in[0], Device.cpu(), DataType.FLOAT32);
                 TextTokenizer tok = TextTokenizer.load(in[0])) {
                Path best = TaTrainer.train(model, tok, examples, settings, out, progress);
                Files.writeString(out.resolve("done"), "trained on " + examples.size() + " examples\n");
                return best;
            }
        }
    }
}
