package org.cklbench.core.external;

import org.cklbench.core.method.CklMethod;
import org.cklbench.core.method.MethodParams;
import org.cklbench.core.method.MethodProvider;
import org.cklbench.core.method.ParamSpec;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Methods that train outside the suite (docs/external-methods.md): {@code external}, whose command is
 * a parameter ({@code --param command=...}) or which scores adapters trained elsewhere ({@code --param
 * adapters=DIR}), and each method declared by an {@code <id>.external.json} of a plugin folder.
 */
public final class ExternalMethods implements MethodProvider {
    public static final String ID = "external";
    public static final int DEFAULT_TIMEOUT = 86400;
    /** Parameters of the suite's own, never handed to the method in the request's {@code params}. */
    public static final Set<String> RESERVED = Set.of("command", "files", "timeout", "adapters", "adapter_pattern");
    static final String NO_ADAPTERS = "none";
    static final String DEFAULT_PATTERN = "stage-{kkk}";

    private final ExternalDeclaration declaration;

    /** The generic {@code external} method. */
    public ExternalMethods() {
        this(null);
    }

    /** The method {@code declaration} declares. */
    public ExternalMethods(ExternalDeclaration declaration) {
        this.declaration = declaration;
    }

    public ExternalDeclaration declaration() {
        return declaration;
    }

    @Override
    public String id() {
        return declaration == null ? ID : declaration.id();
    }

    @Override
    public String description() {
        return declaration == null
                ? "A method in any language: runs --param command=... at each stage, or scores --param adapters=DIR"
                + " (docs/external-methods.md)"
                : declaration.description() + " (external: " + String.join(" ", declaration.command()) + ")";
    }

    @Override
    public String resultNote() {
        return null;
    }

    @Override
    public List<ParamSpec> parameters() {
        List<ParamSpec> out = new ArrayList<>();
        if (declaration == null) {
            out.add(ParamSpec.string("command", "", null, "the command run at each stage (split into words as a shell"
                    + " would, no shell run); the request file's path is added as its last argument"));
            out.add(ParamSpec.path("adapters", NO_ADAPTERS, "a folder of PEFT adapters trained elsewhere, one per stage,"
                    + " to score instead of running a command (the run is then not reproducible by the suite)"));
            out.add(ParamSpec.string("adapter_pattern", DEFAULT_PATTERN, ".*\\{k(kk)?\\}.*",
                    "the folder of stage k's adapter in adapters: {k} is k, {kkk} is k with three digits"));
        } else {
            declaration.parameters().forEach((name, dflt) -> out.add(ParamSpec.string(name, dflt, null,
                    "a parameter of " + declaration.id() + ", handed to it in the request's params")));
        }
        out.add(ParamSpec.integer("timeout", declaration == null ? DEFAULT_TIMEOUT : declaration.timeoutSeconds(), 1,
                Integer.MAX_VALUE, "seconds one stage may run before its process and children are killed"));
        return out;
    }

    @Override
    public void check(MethodParams params) {
        if (declaration != null) {
            return;
        }
        boolean hasCommand = !params.getString("command").isBlank();
        boolean hasAdapters = !params.getString("adapters").equals(NO_ADAPTERS);
        if (hasCommand == hasAdapters) {
            throw new IllegalArgumentException("method 'external' takes exactly one of --param command=\"...\" (a method"
                    + " to run at each stage) and --param adapters=DIR (adapters trained elsewhere to score)"
                    + (hasCommand ? "; both were given" : "; neither was given"));
        }
    }

    @Override
    public CklMethod create(MethodParams params) {
        if (declaration != null) {
            return ExternalMethod.declared(declaration, params);
        }
        check(params);
        String command = params.getString("command");
        String adapters = params.getString("adapters");
        return !command.isBlank() ? ExternalMethod.command(CommandLine.split(command), params)
                : ExternalMethod.adapters(java.nio.file.Path.of(adapters), params.getString("adapter_pattern"), params);
    }
}
