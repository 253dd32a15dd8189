package org.cklbench.datasets.world;

import org.cklbench.progress.Progress;

import java.io.IOException;
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

    /** A world's folder and its pretrained base. */
    public record Made(Path world, Path base) {
    }

    /** The world's folder under {@code home} and its base, each made when absent. */
    public Made ensure(Path home, Progress progress) throws IOException {
        Path world = WorldFiles.ensure(home, spec);
        return new Made(world, WorldBase.ensure(world, recipe, progress));
    }
}
