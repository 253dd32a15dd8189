package org.cklbench.core.method;

import java.util.List;

/**
 * A CKL method as a plugin. Implementations are found with {@link java.util.ServiceLoader} through
 * {@code META-INF/services/org.cklbench.core.method.MethodProvider}, on the class path or in a jar
 * of the {@code --plugins} folder.
 */
public interface MethodProvider {
    /** The id used on the command line ({@code --method ID}): lower case, no spaces, no '+' or '.'. */
    String id();

    /** One line for {@code ckl methods}. */
    String description();

    /**
     * A caveat every result of this method carries (the site shows it as a footnote on the method's rows),
     * or null.
     */
    default String resultNote() {
        return null;
    }

    /** Typed parameters with their reference defaults. */
    List<ParamSpec> parameters();

    /**
     * Refuses (IllegalArgumentException) parameters that are each in range but do not go together, when the
     * run is resolved: before any input is made or any work spent, and before a sweep submits it.
     */
    default void check(MethodParams params) {
    }

    /**
     * What must be done once before a run with these parameters (cached by the runtime), or null for
     * nothing. The result reaches {@link #create} as {@link MethodParams#prepared()}.
     */
    default Preparation preparation(MethodParams params) {
        return null;
    }

    /** A fresh method instance for one run. */
    CklMethod create(MethodParams params);
}
