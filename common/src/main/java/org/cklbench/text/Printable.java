package org.cklbench.text;

/**
 * Text that came from a file (a run folder, a bundle, a data set) made safe to print on a terminal or
 * in a log: a string in a submitted run.json could otherwise carry escape sequences that erase lines,
 * fake a status line or set the clipboard (OSC 52).
 */
public final class Printable {

    private Printable() {
    }

    /**
     * {@code s} with every control character (C0 except tab, DEL, C1) and every line or paragraph
     * separator written as a visible {@code \\u} escape with its four hex digits, so that one value stays one line; null as
     * "null".
     */
    public static String of(String s) {
        if (s == null) {
            return "null";
        }
        StringBuilder out = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean unsafe = (c < 0x20 && c != '\t') || (c >= 0x7f && c <= 0x9f) || c == '\u2028' || c == '\u2029';
            if (unsafe) {
                if (out == null) {
                    out = new StringBuilder(s.length() + 8).append(s, 0, i);
                }
                out.append(String.format("\\u%04x", (int) c));
            } else if (out != null) {
                out.append(c);
            }
        }
        return out == null ? s : out.toString();
    }

    /** {@link #of(String)} of {@code o}'s string form. */
    public static String of(Object o) {
        return of(o == null ? null : o.toString());
    }
}
