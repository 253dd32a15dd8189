package org.cklbench.cli;

import org.cklbench.text.Printable;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The one rule for the names inside a bundle, which {@code ckl submit} applies when it packs and
 * {@code --unpack} (and the site's reading of bundles) when it unpacks, so that a bundle made here is
 * never refused here: plain parts (letters, digits, {@code . _ + -}, no leading or trailing dot, none
 * empty), not too long nor too deep, and no two names alike but for case (some file systems fold it).
 */
final class BundleNames {
    /** A run folder's deepest file is runs/RUN/predictions/NAME.jsonl: four parts and well under 300 characters. */
    static final int MAX_LENGTH = 300;
    static final int MAX_PARTS = 8;
    private static final Pattern SAFE_PART = Pattern.compile("[A-Za-z0-9_+-][A-Za-z0-9._+-]{0,199}");

    private final Map<String, String> seen = new HashMap<>();

    /** Why {@code name} (parts joined by /) cannot be in a bundle, or null when it can; remembers it, so that a second one alike is refused. */
    String refusal(String name) {
        if (name.length() > MAX_LENGTH) {
            return "is " + name.length() + " characters long, more than " + MAX_LENGTH;
        }
        String[] parts = name.split("/", -1);
        if (parts.length > MAX_PARTS) {
            return "is " + parts.length + " folders deep, more than " + MAX_PARTS;
        }
        for (String part : parts) {
            if (!SAFE_PART.matcher(part).matches() || part.endsWith(".")) {
                return "is not a plain relative name (letters, digits, . _ + - and /, no part starting or ending with"
                        + " a dot)";
            }
        }
        String other = seen.putIfAbsent(name.toLowerCase(Locale.ROOT), name);
        if (other != null) {
            return other.equals(name) ? "appears twice"
                    : "differs from '" + shown(other) + "' only in case, which some file systems do not tell apart";
        }
        return null;
    }

    /** {@code name} as a message shows it: control characters escaped, and cut short when long. */
    static String shown(String name) {
        String s = Printable.of(name);
        return s.length() <= 120 ? s : s.substring(0, 100) + "…(" + name.length() + " characters)";
    }
}
