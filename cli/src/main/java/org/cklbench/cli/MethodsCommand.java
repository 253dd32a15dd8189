package org.cklbench.cli;

import org.cklbench.core.method.MethodProvider;
import org.cklbench.core.method.ParamSpec;
import org.cklbench.core.plugin.Registries;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.concurrent.Callable;

@Command(name = "methods", mixinStandardHelpOptions = true,
        description = "List the CKL methods (built in and from --plugins), one line each, with their typed parameters and defaults.")
final class MethodsCommand implements Callable<Integer> {
    @Mixin
    PluginOptions plugins;

    @Override
    public Integer call() throws Exception {
        Registries registries = plugins.registries();
        for (MethodProvider p : registries.methods().providers().values()) {
            System.out.printf("%-12s %s%n", p.id(), p.description());
            for (ParamSpec q : p.parameters()) {
                System.out.printf("  %-20s %-22s default %-8s %s%n", q.name(), q.typeLabel(), q.defaultValue(), q.description());
            }
        }
        System.out.println();
        System.out.println("Compose methods with '+', e.g. --method taalm+kadapter; their parameters are then <method>.<name>.");
        System.out.println("A preset may set other defaults for a method (ckl benchmarks --settings lists them); run.json records every value.");
        return 0;
    }
}
