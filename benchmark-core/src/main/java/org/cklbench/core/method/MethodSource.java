package org.cklbench.core.method;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * Methods that are not classes of their own: each provider with its origin (say, an external method's
 * declaration file in the plugin folder). Implementations of the suite are found with
 * {@link java.util.ServiceLoader}.
 */
public interface MethodSource {
    /** The providers this source offers for plugin folder {@code pluginDir} (null: none given). */
    Map<MethodProvider, String> providers(Path pluginDir) throws IOException;
}
