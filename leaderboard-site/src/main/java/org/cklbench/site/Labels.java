package org.cklbench.site;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.Locale;

/**
 * How the pages write ids and times for a reader: a split id as words, a timestamp to the second in UTC, a count
 * with its noun. The data files (site-data.json, the downloads) keep the ids and times as the run folders have them.
 */
final class Labels {
    private static final DateTimeFormatter SECONDS = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'", Locale.ROOT)
            .withZone(ZoneOffset.UTC);

    private Labels() {
    }

    /** A snake_case id as capitalised words joined by hyphens ({@code new_facts_kept}: "New-Facts-Kept"); other text as it is. */
    static String split(String id) {
        if (id == null || !id.matches("[a-z][a-z0-9]*(_[a-z0-9]+)*")) {
            return id;
        }
        StringBuilder sb = new StringBuilder();
        for (String w : id.split("_")) {
            sb.append(sb.length() == 0 ? "" : "-").append(Character.toUpperCase(w.charAt(0))).append(w.substring(1));
        }
        return sb.toString();
    }

    /** A row's probes text ("old_facts 100 · new_facts 100") with each split id as {@link #split} writes it. */
    static String probes(String text) {
        if (text == null) {
            return null;
        }
        StringBuilder sb = new StringBuilder();
        for (String part : text.split(" · ", -1)) {
            int sp = part.lastIndexOf(' ');
            sb.append(sb.length() == 0 ? "" : " · ")
                    .append(sp > 0 ? split(part.substring(0, sp)) + part.substring(sp) : part);
        }
        return sb.toString();
    }

    /** An ISO-8601 instant to the second in UTC ("2026-12-07 04:42:45 UTC"); anything else as it is. */
    static String time(String iso) {
        if (iso == null) {
            return null;
        }
        try {
            return SECONDS.format(Instant.parse(iso).truncatedTo(ChronoUnit.SECONDS));
        } catch (DateTimeParseException e) {
            return iso;
        }
    }

    /** "1 board", "2 boards". */
    static String count(long n, String noun) {
        return n + " " + noun + (n == 1 ? "" : "s");
    }
}
