package org.cklbench.site;

import com.fasterxml.jackson.databind.JsonNode;
import org.cklbench.text.Printable;

import java.util.ArrayList;
import java.util.List;

/** The run folders a build left out, as lines to print: text from run folders goes through {@link Printable}. */
public final class Skipped {
    private Skipped() {
    }

    /** One "left out FOLDER: REASON" line per entry of site-data.json's {@code skipped}. */
    public static List<String> lines(SiteData siteData) {
        List<String> out = new ArrayList<>();
        for (SiteData.Skip s : siteData.skipped()) {
            out.add("left out " + Printable.of(String.valueOf(s.folder())) + ": " + Printable.of(String.valueOf(s.reason())));
        }
        return out;
    }
}
