package org.cklbench.cli;

import org.cklbench.core.method.MethodParameter;
import org.cklbench.core.method.MethodProvider;
import org.cklbench.core.method.MethodRegistry;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "methods", mixinStandardHelpOptions = true,
        description = "List the CKL methods (built in and from --plugins), one line each, with their parameters and defaults.")
final class MethodsCommand implements Callable<Integer> {
    @Option(names = "--plugins", description = "Folder of method plugin jars to load.")
    Path plugins;

    @Override
    public Integer call() throws Exception {
        MethodRegistry registry = MethodRegistry.load(plugins);
        for (MethodProvider p : registry.providers().values()) {
            System.out.printf("%-12s %s%n", p.id(), p.description());
            for (MethodParameter q : p.parameters()) {
                System.out.printf("  %-22s default %-10s %s%n", q.name(), q.defaultValue(), q.description());
            }
        }
        System.out.println();
        System.out.println("Compose methods with '+', e.g. --method taalm+kadapter; their parameters are then <method>.<name>.");
        return 0;
    }
}
