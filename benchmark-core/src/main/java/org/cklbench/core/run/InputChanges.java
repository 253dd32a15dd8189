package org.cklbench.core.run;

import org.cklbench.runfolder.InputFiles;
import org.cklbench.text.Printable;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The files whose contents differ between the inputs a run folder records and the inputs found now:
 * a run made of other data is never handed back as this one, and each changed file is named. Only
 * contents count; the same files found at another path are the same inputs.
 */
final class InputChanges {
    private InputChanges() {
    }

    /** One line per changed, missing or new file ("&lt;path&gt; changed"); empty when none. */
    static List<String> between(Map<String, InputFiles> recorded, Map<String, InputFiles> now) {
        // one file may belong to two inputs (the To-Learn file and the data folder around it): said once
        Set<String> out = new LinkedHashSet<>();
        for (Map.Entry<String, InputFiles> e : new TreeMap<>(now).entrySet()) {
            InputFiles was = recorded.get(e.getKey());
            InputFiles is = e.getValue();
            if (was == null || was.sha256() == null) {
                out.add("input " + e.getKey() + " (" + Printable.of(is.path()) + ") is not recorded in run.json");
                continue;
            }
            SortedMap<String, String> before = was.sha256();
            SortedMap<String, String> after = is.sha256() == null ? new TreeMap<>() : is.sha256();
            for (Map.Entry<String, String> f : after.entrySet()) {
                String file = file(is.path(), f.getKey());
                if (!before.containsKey(f.getKey())) {
                    out.add(file + " is new");
                } else if (!before.get(f.getKey()).equals(f.getValue())) {
                    out.add(file + " changed");
                }
            }
            before.keySet().stream().filter(k -> !after.containsKey(k))
                    .forEach(k -> out.add(file(is.path(), k) + " is gone"));
        }
        recorded.keySet().stream().filter(k -> !now.containsKey(k)).sorted()
                .forEach(k -> out.add("input " + k + " is recorded in run.json but not used now"));
        return new ArrayList<>(out);
    }

    /** The file's path: an input that is one file records its own name as its one key. */
    private static String file(String root, String relative) {
        String p = relative.isEmpty() || (root != null && Files.isRegularFile(Path.of(root))) ? root
                : root == null ? relative : Path.of(root).resolve(relative).toString();
        return Printable.of(p);
    }
}
