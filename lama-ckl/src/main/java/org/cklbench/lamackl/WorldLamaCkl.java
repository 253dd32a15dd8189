package org.cklbench.lamackl;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import org.cklbench.io.Folders;
import org.cklbench.progress.Progress;
import org.cklbench.datasets.world.World;
import org.cklbench.datasets.world.WorldBase;
import org.cklbench.datasets.world.WorldFiles;
import org.cklbench.lamackl.build.Candidates;
import org.cklbench.lamackl.build.LamaCklBuilder;
import org.cklbench.lamackl.build.Scores;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The {@code quick} preset's inputs: the synthetic world, its pretrained tiny base, and LAMA-ckl built
 * over the world's snapshot 1 by the real pipeline (scored by that base, selected by the rules). Each
 * step is cached under CKL_HOME and reused.
 */
public final class QuickSet {
    public static final int SIZE = 200;
    public static final long BUILD_SEED = 1;

    /** The three inputs: [0] world folder, [1] base model, [2] the built LAMA-ckl folder. */
    public static Path[] ensure(Path home, Progress progress) throws IOException {
        Path world = WorldFiles.ensure(home, World.Spec.quick());
        WorldBase.Recipe recipe = WorldBase.Recipe.quick();
        Path base = WorldBase.ensure(world, recipe, progress);
        Path built = world.resolve("lama-ckl-" + base.getFileName());
        if (!Files.isRegularFile(built.resolve("dedup-report.json"))) {
            Path tmp = Files.createTempDirectory(world, ".lama-ckl.");
            List<LamaCklRow> candidates = Candidates.fromLama(world.resolve("lama").resolve("snapshot-1"));
            List<LamaCklRow> eligible = candidates.stream().filter(Candidates::eligible).toList();
            Scores.score(eligible, base, Device.cpu(), DataType.FLOAT32, 64, progress);
            Scores.write(tmp.resolve("scores.jsonl"), eligible);
            LamaCklBuilder.write(LamaCklBuilder.select(candidates, SIZE, BUILD_SEED, false), tmp);
            Folders.publish(tmp, built);
        }
        return new Path[] {world, base, built};
    }

    private QuickSet() {
    }
}
