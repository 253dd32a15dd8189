package org.cklbench.site;

import java.util.Locale;
import java.util.Map;

/**
 * What the site allows a browser to do with its pages and which type each of its files has. Its pages load
 * only their own style sheet and script (sorting, the "only verified rows" filter) and draw charts as inline
 * SVG; nothing else is needed, so nothing else is allowed: a string that slipped past escaping could run no
 * script and load nothing. The policy is both in every page (a meta element, for any static host) and in the
 * headers of {@code ckl site serve}.
 */
public final class SitePolicy {
    /** The policy as a page's meta element states it (frame-ancestors has no effect there). */
    public static final String CSP_META = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
            + "base-uri 'none'; form-action 'none'";
    /** The policy as a response header. */
    public static final String CSP = CSP_META + "; frame-ancestors 'none'";

    /**
     * The only types served, by file extension. A name with another extension is not served: a site this
     * tool builds holds no other, and a file dropped into it later is not the site's.
     */
    private static final Map<String, String> TYPES = Map.of(
            "html", "text/html; charset=utf-8",
            "css", "text/css; charset=utf-8",
            "js", "text/javascript; charset=utf-8",
            "json", "application/json",
            "jsonl", "application/x-ndjson",
            "csv", "text/csv; charset=utf-8");

    private SitePolicy() {
    }

    /**
     * The type of the site's file at {@code path} (relative, '/'-separated), or null when it is not to be
     * served: an unknown extension, or a page or script anywhere but where the site writes its own (the
     * home page, runs/ and methods/ pages, assets/), so that a run's published files never serve as markup.
     */
    public static String type(String path) {
        int dot = path.lastIndexOf('.');
        String name = path.substring(path.lastIndexOf('/') + 1);
        if (dot < 0 || name.startsWith(".")) {
            return null;
        }
        String ext = path.substring(dot + 1).toLowerCase(Locale.ROOT);
        String type = TYPES.get(ext);
        if (type == null) {
            return null;
        }
        boolean own = switch (ext) {
            case "html" -> path.matches("index\\.html|(runs|methods)/[^/]+\\.html");
            case "css", "js" -> path.matches("assets/[^/]+");
            case "csv" -> path.matches("(downloads/)?[^/]+\\.csv");
            default -> true;
        };
        return own ? type : null;
    }
}
