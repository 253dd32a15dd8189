package org.cklbench.cli;

import org.cklbench.engine.djl.PyTorchEngine;
import org.cklbench.datasets.world.World;
import org.cklbench.datasets.world.WorldBase;
import org.cklbench.datasets.world.WorldFiles;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "pretrain", mixinStandardHelpOptions = true,
        header = "Generate the quick preset's synthetic world and pretrain its tiny base.",
        description = {"Generate the synthetic world of the quick preset and train its tiny base model from scratch " +
            "on the world's first snapshot (cached in CKL_HOME/worlds; a second call reuses both). Prints where " +
            "they are and how many of snapshot 0's facts the base answers (descriptive probes)."})
final class PretrainCommand implements Callable<Integer> {
    @Mixin
    ThreadsOption threads;

    @Override
    public Integer call() throws Exception {
        PyTorchEngine.initForResults();
        World.Spec spec = World.Spec.quick();
        Path world = WorldFiles.ensure(Home.get(), spec);
        System.out.println("world: " + world);
        Path base = WorldBase.ensure(world, WorldBase.Recipe.quick(), new BarProgress());
        System.out.println("base model: " + base);
        System.out.println(Files.readString(base.resolve("pretraining.json")).trim());
        World w = World.generate(spec);
        System.out.printf("snapshot-0 accuracy: invariant facts %.3f, time-variant facts %.3f%n",
                WorldBase.accuracy(base, w, 0, true), WorldBase.accuracy(base, w, 0, false));
        return 0;
    }
}
