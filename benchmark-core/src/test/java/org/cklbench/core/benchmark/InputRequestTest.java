package org.cklbench.core.benchmark;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** Which inputs a preset's generated world supplies, and when the world is made at all. */
class InputRequestTest {
    private static final Path MODEL = Path.of("my-model");
    private static final Path DATA = Path.of("my-data");
    private static final InputRequest.Folders WORLD = new InputRequest.Folders(Path.of("world-base"), Path.of("world-data"));

    private static InputRequest.Folders folders(String preset, Path model, Path data, AtomicInteger made) throws IOException {
        return new InputRequest(preset, null, model, data, Path.of("home")).folders(() -> {
            made.incrementAndGet();
            return WORLD;
        });
    }

    @Test
    void aGeneratedPresetFillsOnlyWhatIsMissing() throws IOException {
        AtomicInteger made = new AtomicInteger();
        assertThat(folders("smoke", null, null, made)).isEqualTo(WORLD);
        assertThat(folders("quick", MODEL, null, made)).isEqualTo(new InputRequest.Folders(MODEL, WORLD.data()));
        assertThat(folders("quick", null, DATA, made)).isEqualTo(new InputRequest.Folders(WORLD.model(), DATA));
        assertThat(made).hasValue(3);
        assertThat(folders("smoke", MODEL, DATA, made)).isEqualTo(new InputRequest.Folders(MODEL, DATA));
        assertThat(made).as("nothing to fill: no world made").hasValue(3);
    }

    @Test
    void thePaperPresetNeverMakesAWorld() throws IOException {
        AtomicInteger made = new AtomicInteger();
        assertThat(folders(InputRequest.PAPER, null, null, made)).isEqualTo(new InputRequest.Folders(null, null));
        assertThat(folders(InputRequest.PAPER, MODEL, null, made)).isEqualTo(new InputRequest.Folders(MODEL, null));
        assertThat(made).hasValue(0);
    }
}
