package org.cklbench.runfolder;

import java.util.List;

/**
 * A method as the run that used it described it, so that a site can say what a row's method is
 * without the method's code installed.
 *
 * @param origin where its class came from: "built-in" or a plugin jar
 * @param note   a caveat every result of the method carries (a footnote on its rows), or null (then not written)
 */
public record MethodInfo(String id, String description, String origin, List<Parameter> parameters,
                         @com.fasterxml.jackson.annotation.JsonInclude(
                                 com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL) String note) {
    public MethodInfo(String id, String description, String origin, List<Parameter> parameters) {
        this(id, description, origin, parameters, null);
    }

    /** A parameter: its name, type and range, default and meaning. */
    public record Parameter(String name, String type, String defaultValue, String description) {
    }
}
