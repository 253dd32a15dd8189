package org.cklbench.datasets.world;

import org.cklbench.progress.Progress;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What an embedded preset's world is: the world's spec and the recipe of the base pretrained on it. Read
 * once from the preset's name ({@code smoke}, or the quick world for every other), so the benchmarks built
 * over a world ask the name nothing more.
 */
public record WorldPreset(boolean smoke, World.Spec spec, WorldBase.Recipe recipe) {

    /** The world of preset {@code preset}. */
    public static WorldPreset of(String preset) {
        boolean smoke = preset.equals("smoke");
        return new WorldPreset(smoke, smoke ? World.Spec.smoke() : World.Spec.quick(),
                smoke ? WorldBase.Recipe.smoke() : WorldBase.Recipe.quick());
    }

    /** Whether {@code home} holds this world's finished base (a world folder alone, or a stopped pretraining, is not). */
    public boolean made(Path home) {
        return Files.isRegularFile(baseDir(home).resolve("model.safetensors"));
    }

    /** Where this world's base is under {@code home}, made or not. */
    public Path baseDir(Path home) {
        return home.resolve("worlds").resolve(WorldFiles.id(spec)).resolve(recipe.id());
    }

    /**
     * What the first use under {@code home} will do before its first progress bar: the sentence that says why
     * a command meant to take seconds takes a minute, once. Timings from README.md and docs/miniature.md (2 cores).
     */
    public java.util.Optional<String> firstUse(Path home) {
        if (made(home)) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of("first use of the " + (smoke ? "smoke" : "quick") + " world in " + home
                + ": generating it and pretraining its base model, once (" + (smoke ? "about a minute" : "about 2 minutes")
                + " on 2 free cores); later runs reuse them");
    }

    /** A world's folder and its pretrained base. */
    public record Made(Path world, Path base) {
    }

    /** The world's folder under {@code home} and its base, each made when absent. */
    public Made ensure(Path home, Progress progress) throws IOException {
        firstUse(home).ifPresent(progress::note);
        Path world = WorldFiles.ensure(home, spec);
        return new Made(world, WorldBase.ensure(world, recipe, progress));
    }
}
