package org.cklbench.site;

import com.fasterxml.jackson.databind.JsonNode;
import org.cklbench.text.Printable;

import java.util.ArrayList;
import java.util.List;

/**
 * The run folders a build left out, as lines to print (the terminal) and to show (the index): a count, then one line
 * per folder with its reason; text from run folders goes through {@link Printable}.
 */
public final class Skipped {
    private Skipped() {
    }

    /** "N run folder(s) left out of the site:", then one {@link #entries} line per folder; nothing when none was. */
    public static List<String> lines(SiteData siteData) {
        List<String> out = new ArrayList<>();
        if (!siteData.skipped().isEmpty()) {
            out.add(heading(siteData) + ":");
        }
        out.addAll(entries(siteData));
        return out;
    }

    /** How many run folders were left out, as a heading ("1 run folder left out of the site"). */
    public static String heading(SiteData siteData) {
        int n = siteData.skipped().size();
        return Labels.count(n, "run folder") + " left out of the site";
    }

    /** One "left out FOLDER: REASON" line per entry of site-data.json's {@code skipped}. */
    public static List<String> entries(SiteData siteData) {
        List<String> out = new ArrayList<>();
        for (SiteData.Skip s : siteData.skipped()) {
            out.add("left out " + Printable.of(String.valueOf(s.folder())) + ": " + Printable.of(String.valueOf(s.reason())));
        }
        return out;
    }
}
