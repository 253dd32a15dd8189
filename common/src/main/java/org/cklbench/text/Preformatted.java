package org.cklbench.text;

/**
 * An exception whose message is laid out in lines of its own (a failure followed by the tail of a log,
 * say), with every part that came from a file already passed through {@link Printable#of(String)}. A
 * terminal printer keeps its line breaks and escapes everything else, where other messages are printed
 * as one escaped line.
 */
public interface Preformatted {

    /** {@code message} as printable lines: each line escaped, the line breaks kept. */
    static String lines(String message) {
        String[] parts = String.valueOf(message).split("\n", -1);
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < parts.length; i++) {
            out.append(i == 0 ? "" : "\n").append(Printable.of(parts[i]));
        }
        return out.toString();
    }
}
