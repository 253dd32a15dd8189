package org.cklbench.lamackl.build;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.cklbench.lamackl.LamaCklRow;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code ckl lama-ckl audit DIR}: the dedup report of an existing set of split files. */
public final class Audit {
    /** Split name → file name, in report order. */
    public static final Map<String, String> SPLITS = new LinkedHashMap<>();

    static {
        SPLITS.put("to_learn", "variant.jsonl");
        SPLITS.put("not_to_forget_descriptive", "invariant_descriptive.jsonl");
        SPLITS.put("not_to_forget_schematic", "invariant_schematic.jsonl");
        SPLITS.put("train_attention", org.cklbench.core.benchmark.Benchmark.META_TRAINING_FILE);
    }

    private Audit() {
    }

    public static ObjectNode audit(Path dir) throws IOException {
        List<Dedup.Doc> docs = new ArrayList<>();
        Map<String, Integer> sizes = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : SPLITS.entrySet()) {
            Path f = dir.resolve(e.getValue());
            if (!Files.isRegularFile(f)) {
                continue;
            }
            List<LamaCklRow> rows = LamaCklRow.read(f);
            sizes.put(e.getKey(), rows.size());
            rows.forEach(r -> docs.add(new Dedup.Doc(e.getKey(), r)));
        }
        if (sizes.isEmpty()) {
            throw new IOException(dir + " holds none of " + SPLITS.values());
        }
        return DedupReport.build(sizes, Dedup.find(docs), Map.of());
    }
}
