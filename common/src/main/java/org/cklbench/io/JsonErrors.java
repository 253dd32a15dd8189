package org.cklbench.io;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonLocation;
import org.cklbench.text.Printable;

import java.nio.file.Path;

/**
 * A JSON parse error said as a user can act on it: the file, line and column, and the problem, without
 * Jackson's own wrapping ("at [Source: REDACTED (`StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION`
 * disabled); line: 3, column: 19]") or the class names of its internals.
 */
public final class JsonErrors {
    private JsonErrors() {
    }

    /** "FILE, line L, column C: not valid JSON: PROBLEM". */
    public static String describe(Path file, JacksonException e) {
        JsonLocation at = e.getLocation();
        String where = at == null || at.getLineNr() < 1 ? ""
                : ", line " + at.getLineNr() + (at.getColumnNr() > 0 ? ", column " + at.getColumnNr() : "");
        String problem = e.getOriginalMessage() == null ? e.getClass().getSimpleName() : clean(e.getOriginalMessage());
        // the problem quotes the offending character or token, text from the file
        return file + where + ": not valid JSON: " + Printable.of(problem);
    }

    /**
     * {@code message} with each of Jackson's locations ("[Source: REDACTED (...); line: 1, column: 2]",
     * which the original message of an unclosed object still holds) said as "line 1, column 2", on one line
     * (Jackson puts its location on a line of its own).
     */
    public static String clean(String message) {
        return SOURCE.matcher(message).replaceAll("line $1, column $2")
                .replaceAll("\\s*at \\[Source: [^\\]]*\\]", "")
                .replaceAll("\\s*\\R\\s*at (line \\d+, column \\d+)", " at $1");
    }

    private static final java.util.regex.Pattern SOURCE =
            java.util.regex.Pattern.compile("\\[Source: [^\\]]*?; line: (\\d+), column: (\\d+)\\]");
}
