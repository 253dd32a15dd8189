package org.cklbench.lamackl;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import org.cklbench.datasets.world.WorldPreset;
import org.cklbench.io.FileLocks;
import org.cklbench.io.Folders;
import org.cklbench.lamackl.build.Candidates;
import org.cklbench.lamackl.build.LamaCklBuilder;
import org.cklbench.lamackl.build.Scores;
import org.cklbench.progress.Progress;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The inputs of the {@code smoke} and {@code quick} presets: the preset's synthetic world, its pretrained
 * tiny base, and LAMA-ckl built over the world's snapshot 1 by the real pipeline (scored by that base,
 * selected by the rules, deduplicated). Each step is cached under CKL_HOME and reused.
 */
public final class WorldLamaCkl {
    static final long BUILD_SEED = 1;

    private WorldLamaCkl() {
    }

    /**
     * Facts per split: the quick world's 100 (with 200, each of the quickstart's 33 LAMA-ckl runs took
     * twice as long and the quickstart 16:38 instead of 10 minutes); a handful for smoke.
     */
    static int size(String preset) {
        return WorldPreset.of(preset).smoke() ? 8 : 100;
    }

    /** A preset's inputs: its world's folder, the base pretrained on it, and LAMA-ckl built over it. */
    public record Inputs(Path world, Path base, Path lamaCkl) {
    }

    /** The preset's inputs, each made when absent. */
    public static Inputs ensure(Path home, String preset, Progress progress) throws IOException {
        WorldPreset.Made made = WorldPreset.of(preset).ensure(home, progress);
        Path world = made.world();
        Path base = made.base();
        Path built = world.resolve("lama-ckl-" + base.getFileName());
        if (!Files.isRegularFile(built.resolve("dedup-report.json"))) {
            // concurrent runs sharing CKL_HOME: one builds, the others wait, then reuse it
            try (FileLocks.Held lock = FileLocks.acquire(world.resolve(built.getFileName() + ".lock"), progress::note)) {
                if (!Files.isRegularFile(built.resolve("dedup-report.json"))) {
                    Path tmp = org.cklbench.io.TempPaths.directory(world, ".lama-ckl.");
                    List<LamaCklRow> candidates = Candidates.fromLama(world.resolve("lama").resolve("snapshot-1"));
                    List<LamaCklRow> eligible = candidates.stream().filter(Candidates::eligible).toList();
                    Scores.score(eligible, base, Device.cpu(), DataType.FLOAT32, 64, progress);
                    Scores.write(tmp.resolve("scores.jsonl"), eligible);
                    LamaCklBuilder.write(LamaCklBuilder.select(candidates, size(preset), BUILD_SEED, false), tmp);
                    Folders.publish(tmp, built);
                }
            }
        }
        return new Inputs(world, base, built);
    }
}
