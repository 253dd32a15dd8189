package org.cklbench.core.run;

import com.fasterxml.jackson.databind.JsonNode;
import org.cklbench.core.plugin.Registries;
import org.cklbench.runfolder.InputFiles;
import org.cklbench.runfolder.Json;
import org.cklbench.runfolder.RunConfig;
import org.cklbench.runfolder.RunRecord;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;

/** Running a recorded configuration again: its request, and the checks that it is still the same run. */
final class Rerun {
    private Rerun() {
    }

    /** The request that resolves to {@code c}: every method parameter and every setting given explicitly. */
    static RunRequest request(RunConfig c) {
        Map<String, String> params = new LinkedHashMap<>();
        if (c.methodParams() != null) {
            c.methodParams().forEach((k, v) -> {
                if (v != null) {
                    params.put(k, String.valueOf(v));
                }
            });
        }
        Map<String, String> sets = new LinkedHashMap<>();
        if (c.settings() != null) {
            for (Iterator<Map.Entry<String, JsonNode>> it = c.settings().fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                sets.put(e.getKey(), e.getValue().isTextual() ? e.getValue().asText() : e.getValue().toString());
            }
        }
        return new RunRequest(c.benchmark(), c.method(), params, c.preset(), sets,
                c.model() == null ? null : Path.of(c.model()), c.data() == null ? null : Path.of(c.data()), c.seed(),
                c.device(), c.dtype(), c.threads());
    }

    static void checkConfig(RunConfig recorded, RunConfig now) {
        // runs made before the arithmetic was pinned recorded the --threads they were given; it no longer
        // changes results, and a configuration resolves to threads 0 now
        RunConfig then = new RunConfig(recorded.benchmark(), recorded.benchmarkVersion(), recorded.method(),
                recorded.methodParams(), recorded.preset(), recorded.settings(), recorded.seed(), recorded.model(),
                recorded.data(), recorded.device(), recorded.dtype(), 0);
        if (!Json.canonical(then).equals(Json.canonical(now))) {
            throw new IllegalArgumentException("the recorded configuration no longer resolves to itself (recorded "
                    + Json.canonical(recorded) + ", now " + Json.canonical(now) + "): the benchmark's version or a"
                    + " method's parameters changed since; this run cannot be repeated as it was");
        }
    }

    /**
     * Every recorded input file has its recorded SHA-256 now, and every plugin jar (code outside the
     * suite's own jars) is the recorded one; otherwise one error naming each difference.
     */
    static void checkInputs(RunRecord recorded, Map<String, InputFiles> now, Registries registries, String benchmark,
                            List<String> methods) throws IOException {
        List<String> problems = new ArrayList<>();
        if (recorded.provenance() == null || recorded.provenance().inputs() == null) {
            throw new IllegalArgumentException("run.json of " + recorded.config().id() + " records no input files;"
                    + " there is nothing to check a run again against");
        }
        Map<String, InputFiles> before = recorded.provenance().inputs();
        now.keySet().stream().filter(n -> !before.containsKey(n))
                .forEach(n -> problems.add("input " + n + " is used now but not recorded in run.json"));
        before.forEach((name, files) -> {
            InputFiles current = now.get(name);
            for (Map.Entry<String, String> f : files.sha256().entrySet()) {
                String where = name + (f.getKey().isEmpty() ? "" : "/" + f.getKey());
                SortedMap<String, String> cur = current == null ? null : current.sha256();
                if (cur == null || !cur.containsKey(f.getKey())) {
                    problems.add("input " + where + " is missing (recorded SHA-256 " + f.getValue() + ")");
                } else if (!cur.get(f.getKey()).equals(f.getValue())) {
                    problems.add("input " + where + " differs: SHA-256 " + cur.get(f.getKey()) + ", recorded " + f.getValue());
                }
            }
            if (current != null) {
                current.sha256().keySet().stream().filter(k -> !files.sha256().containsKey(k))
                        .forEach(k -> problems.add("input " + name + "/" + k + " is new (not in the recorded run)"));
            }
        });
        Map<String, String> recordedCode = recorded.provenance().codeSha256() == null ? Map.of()
                : recorded.provenance().codeSha256();
        Map<String, String> plugins = registries.pluginOrigins(benchmark, methods);
        Map<String, String> code = Provenance.codeSha256(plugins);
        // and the other way: code from a plugin now that the run did not record as a plugin's
        plugins.forEach((id, origin) -> {
            if (!recordedCode.containsKey(id)) {
                problems.add(id + " now comes from a plugin jar (" + origin + ") the run did not record");
            }
        });
        recordedCode.forEach((id, sha) -> {
            if (!plugins.containsKey(id)) {
                problems.add("the run was made with a plugin jar of " + id + " (SHA-256 " + sha + "), which this run does not use");
            } else if (!sha.equals(code.get(id))) {
                problems.add("plugin jar of " + id + " differs: " + plugins.get(id) + " has SHA-256 " + code.get(id)
                        + ", the run was made with " + sha);
            }
        });
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("cannot run " + recorded.id() + " again as it was: "
                    + String.join("; ", problems));
        }
    }
}
