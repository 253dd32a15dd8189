package org.cklbench.core.external;

import org.cklbench.core.method.MethodProvider;
import org.cklbench.core.method.MethodRegistry;
import org.cklbench.core.method.MethodSource;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code external} itself, and one method for each {@code <id>.external.json} of the plugin folder, whose
 * origin is that file.
 */
public final class ExternalMethodSource implements MethodSource {
    @Override
    public Map<MethodProvider, String> providers(Path pluginDir) throws IOException {
        Map<MethodProvider, String> out = new LinkedHashMap<>();
        out.put(new ExternalMethods(), MethodRegistry.origin(ExternalMethods.class));
        for (ExternalDeclaration d : ExternalDeclaration.scan(pluginDir)) {
            out.put(new ExternalMethods(d), d.file().toString());
        }
        return out;
    }
}
