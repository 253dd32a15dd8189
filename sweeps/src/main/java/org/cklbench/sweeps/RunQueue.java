package org.cklbench.sweeps;

import org.cklbench.core.method.Preparation;
import org.cklbench.core.plugin.Registries;
import org.cklbench.core.run.ResolvedRun;
import org.cklbench.core.run.RunRequest;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The order in which a local sweep's workers take its runs. First, for each preparation the runs need
 * (a seed's Train-Attention model, say), the first run that needs it, so that preparations are made
 * side by side as early as workers allow; then the runs that need none, so that a worker done with a
 * shorter preparation does not wait for another's (on the quickstart, a TAALM run queued third
 * waits 39 s for its model); the runs whose preparation an earlier run makes last. Within each part the
 * costliest first, by the cost the grid declares, so that no long run is left alone at the end; ties
 * keep the grid's order. The order changes no result: a run is the same whoever runs it, and when.
 */
public final class RunQueue {
    private RunQueue() {
    }

    public static List<SweepEntry> order(List<SweepEntry> entries, Registries registries) {
        Set<String> queued = new HashSet<>();
        List<int[]> parts = new ArrayList<>();
        for (int i = 0; i < entries.size(); i++) {
            List<String> preps = preparations(entries.get(i).request(), registries);
            int part = preps.isEmpty() ? 1 : queued.containsAll(preps) ? 2 : 0;
            queued.addAll(preps);
            parts.add(new int[] {part, i});
        }
        parts.sort(Comparator.<int[]>comparingInt(p -> p[0])
                .thenComparing(p -> -entries.get(p[1]).cost())
                .thenComparingInt(p -> p[1]));
        return parts.stream().map(p -> entries.get(p[1])).toList();
    }

    /**
     * What identifies each preparation a run needs, without making it: the method and preparation, its
     * settings, and what fixes the base model and the meta-training split (benchmark, preset and its
     * overrides, model, data). Runs with a key in common share the preparation; two keys that differ only
     * put a run in an earlier part.
     */
    private static List<String> preparations(RunRequest r, Registries registries) {
        ResolvedRun resolved = ResolvedRun.of(r, registries);
        List<String> out = new ArrayList<>();
        for (Map.Entry<String, Preparation> e : registries.methods().preparations(resolved.method()).entrySet()) {
            out.add(String.join("\u0000", r.benchmark(), r.preset(), String.valueOf(r.model()), String.valueOf(r.data()),
                    new java.util.TreeMap<>(r.overrides()).toString(), e.getKey(), e.getValue().name(),
                    e.getValue().settings().toString()));
        }
        return out;
    }
}
