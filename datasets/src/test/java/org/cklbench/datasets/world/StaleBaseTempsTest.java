package org.cklbench.datasets.world;

import org.cklbench.io.FileLocks;
import org.cklbench.progress.Progress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** What an interrupted pretraining leaves in a world folder goes on the next start; a live one's folder stays. */
class StaleBaseTempsTest {
    private static final WorldBase.Recipe RECIPE = new WorldBase.Recipe(8, 16, 1, 2, 1, 1, 16, 1e-3, 1);
    private static final WorldBase.Recipe OTHER = new WorldBase.Recipe(8, 16, 1, 2, 1, 1, 16, 1e-3, 2);

    @Test
    void leftoversOfAStoppedPretrainingAreRemovedAndALiveOnesAreKept(@TempDir Path world) throws Exception {
        // the base is there already: ensure does not pretrain, and still tidies
        Path base = Files.createDirectories(world.resolve(RECIPE.id()));
        Files.writeString(base.resolve("model.safetensors"), "x");
        // a pretraining stopped part-way: its folder, half written, and its lock file, held by nobody
        Path stale = Files.createDirectories(world.resolve("." + RECIPE.id() + ".1x2y3z"));
        Files.writeString(stale.resolve("tokenizer.json"), "{}");
        Files.writeString(world.resolve(RECIPE.id() + ".lock"), "12345\n");
        // another recipe's pretraining, running now (its lock held)
        Path live = Files.createDirectories(world.resolve("." + OTHER.id() + ".9q8w"));
        Path unrelated = Files.createDirectories(world.resolve(".cache"));
        try (FileLocks.Held held = FileLocks.tryAcquire(world.resolve(OTHER.id() + ".lock")).orElseThrow()) {
            assertThat(WorldBase.ensure(world, RECIPE, Progress.NONE)).isEqualTo(base);
            assertThat(stale).doesNotExist();
            assertThat(live).exists();
        }
        assertThat(unrelated).exists();
        assertThat(base.resolve("model.safetensors")).exists();
        // once that one has stopped too, its folder goes on the next start
        WorldBase.ensure(world, RECIPE, Progress.NONE);
        assertThat(live).doesNotExist();
    }
}
