package org.cklbench.datasets.fetch;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The public sources the suite knows how to fetch. */
public final class Catalogue {
    /** The TAALM authors' LAMA-ckl release, pinned to the commit the paper's numbers come from. */
    public static final String TAALM_COMMIT = "b12f344a9dbae555c239635b1c192c555bed001b";
    private static final String TAALM_RAW = "https://raw.githubusercontent.com/ybseo-academy/TAALM/" + TAALM_COMMIT
            + "/data/LAMA_ckl/";
    private static final String TWIKI_HF = "https://huggingface.co/datasets/seonghyeonye/TemporalWiki/resolve/main/";
    private static final String TWIKI_AZURE = "https://continual.blob.core.windows.net/elm/";

    private static final Map<String, Source> SOURCES = new LinkedHashMap<>();

    static {
        add(new Source("lama", "LAMA probe data (T-REx, Google-RE, ConceptNet, SQuAD), the input of the LAMA-ckl builder",
                "CC BY-NC 4.0 (facebookresearch/LAMA)",
                List.of(new Source.RemoteFile("data.zip", List.of("https://dl.fbaipublicfiles.com/LAMA/data.zip"), null)),
                true));
        add(new Source("lama-ckl-release", "the released LAMA-ckl splits (To-Learn, Not-To-Forget descriptive and schematic)",
                "CC BY-NC 4.0 (derived from LAMA)",
                List.of(
                        new Source.RemoteFile("variant.jsonl", List.of(TAALM_RAW + "variant.jsonl"),
                                "03b6c60d4642ec3ee2af3e7e0a2c4ed24bbb1fae7d63c5b205e6b12da1056248"),
                        new Source.RemoteFile("invariant_descriptive.jsonl", List.of(TAALM_RAW + "invariant_descriptive.jsonl"),
                                "c0b1925b92ff4050fac269e78ae11d806b9b3400e8770bad476c9be599b2a82d"),
                        new Source.RemoteFile("invariant_schematic.jsonl", List.of(TAALM_RAW + "invariant_schematic.jsonl"),
                                "236ed1d27269a0d9359a89c8ca4f9a8c8401362ecaee8f60eb5590ec958d4cd7")),
                false));
        add(new Source("twiki-wikipedia-full", "TemporalWiki: full English Wikipedia snapshots 2021-08 to 2021-12",
                "CC BY-SA 3.0 (Wikipedia)",
                List.of(new Source.RemoteFile("Wikipedia_Full.zip",
                        List.of(TWIKI_HF + "Wikipedia_Full.zip", TWIKI_AZURE + "Wikipedia_Full.zip"), null)), true));
        add(new Source("twiki-diffsets", "TemporalWiki: monthly Wikipedia diffs (TWiki-Diffsets)",
                "CC BY-SA 3.0 (Wikipedia)",
                List.of(new Source.RemoteFile("TWiki_Diffsets.zip",
                        List.of(TWIKI_HF + "TWiki_Diffsets.zip", TWIKI_AZURE + "TWiki_Diffsets.zip"), null)), true));
        add(new Source("twiki-probes", "TemporalWiki: changed and unchanged Wikidata probes per period (TWiki-Probes)",
                "CC0 (Wikidata)",
                List.of(new Source.RemoteFile("TWiki_Probes.zip",
                        List.of(TWIKI_HF + "TWiki_Probes.zip", TWIKI_AZURE + "TWiki_Probes.zip"), null)), true));
    }

    private Catalogue() {
    }

    private static void add(Source s) {
        SOURCES.put(s.name(), s);
    }

    public static Map<String, Source> all() {
        return SOURCES;
    }

    public static Source get(String name) {
        Source s = SOURCES.get(name);
        if (s == null) {
            throw new IllegalArgumentException("unknown dataset '" + name + "'; known: " + String.join(", ", SOURCES.keySet()));
        }
        return s;
    }
}
