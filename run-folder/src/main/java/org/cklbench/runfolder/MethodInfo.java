package org.cklbench.runfolder;

import java.util.List;

/**
 * A method as the run that used it described it, so that a site can say what a row's method is
 * without the method's code installed.
 *
 * @param origin where its class came from: "built-in" or a plugin jar
 */
public record MethodInfo(String id, String description, String origin, List<Parameter> parameters) {
    /** A parameter: its name, type and range, default and meaning. */
    public record Parameter(String name, String type, String defaultValue, String description) {
    }
}
