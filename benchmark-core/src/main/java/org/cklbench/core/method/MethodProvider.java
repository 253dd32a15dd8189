package org.cklbench.core.method;

import java.util.List;

/**
 * A CKL method as a plugin. Implementations are found with {@link java.util.ServiceLoader} through
 * {@code META-INF/services/org.cklbench.core.method.MethodProvider}, on the class path or in a jar
 * of the {@code --plugins} folder.
 */
public interface MethodProvider {
    /** The id used on the command line ({@code --method ID}): lower case, no spaces, no '+'. */
    String id();

    /** One line for {@code ckl methods}. */
    String description();

    /** Tunable parameters with their reference defaults. */
    List<MethodParameter> parameters();

    /** A fresh method instance for one run. */
    CklMethod create(MethodParams params);
}
