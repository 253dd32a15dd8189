package org.cklbench.datasets.world;

import org.cklbench.progress.Progress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The first use of a preset's world says, before its first bar, that it generates and pretrains, once. */
class WorldPresetFirstUseTest {

    /** Stops ensure at its note, so that the test sees what comes before any work. */
    private static final class Stop extends RuntimeException {
    }

    @Test
    void theSentenceComesBeforeAnyWorkAndOnlyUntilTheBaseIsFinished(@TempDir Path home) throws Exception {
        WorldPreset smoke = WorldPreset.of("smoke");
        List<String> notes = new ArrayList<>();
        Progress stopAtNote = new Progress() {
            @Override
            public Task start(String name, long total, String unit) {
                throw new AssertionError("work started before the note: " + name);
            }

            @Override
            public void note(String line) {
                notes.add(line);
                throw new Stop();
            }
        };
        assertThatThrownBy(() -> smoke.ensure(home, stopAtNote)).isInstanceOf(Stop.class);
        assertThat(notes).singleElement().asString().startsWith("first use of the smoke world in " + home)
                .contains("generating it and pretraining its base model, once (about a minute");
        assertThat(home.resolve("worlds")).doesNotExist();

        // a world folder, or a stopped pretraining in it, is not a finished base
        Path world = Files.createDirectories(home.resolve("worlds").resolve(WorldFiles.id(smoke.spec())));
        Files.createDirectories(world.resolve("." + smoke.recipe().id() + ".abc"));
        assertThat(smoke.made(home)).isFalse();
        assertThat(smoke.firstUse(home)).isPresent();
        Path base = Files.createDirectories(world.resolve(smoke.recipe().id()));
        Files.writeString(base.resolve("model.safetensors"), "x");
        assertThat(smoke.made(home)).isTrue();
        assertThat(smoke.firstUse(home)).isEmpty();
        // the quick world is another: still to be made
        assertThat(WorldPreset.of("quick").made(home)).isFalse();
        assertThat(WorldPreset.of("quick").firstUse(home).orElseThrow()).contains("quick world", "about 2 minutes");
    }
}
