package org.cklbench.core.run;

import com.fasterxml.jackson.databind.JsonNode;
import org.cklbench.core.method.ParamSpec;
import org.cklbench.core.plugin.Registries;
import org.cklbench.runfolder.InputFiles;
import org.cklbench.runfolder.Json;
import org.cklbench.runfolder.RunConfig;
import org.cklbench.runfolder.RunRecord;
import org.cklbench.text.Printable;

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

    /**
     * The request that resolves to {@code c} but for its paths: every method parameter and every setting
     * given explicitly, the model, the data and each path parameter from {@code own}, never from {@code c}
     * (a submitted run.json could name any file of the maintainer's machine).
     */
    static RunRequest request(RunConfig c, RerunInputs own, Registries registries) {
        Map<String, String> params = new LinkedHashMap<>();
        java.util.Set<String> paths = pathParams(c, registries);
        if (c.methodParams() != null) {
            c.methodParams().forEach((k, v) -> {
                if (v != null && !paths.contains(k)) {
                    params.put(k, String.valueOf(v));
                }
            });
        }
        java.util.Set<String> unused = new java.util.TreeSet<>(own.pathParams().keySet());
        for (String k : paths) {
            Path mine = own.pathParams().get(k);
            unused.remove(k);
            if (!k.contains(".")) {
                Path composed = own.pathParams().get(c.method() + "." + k);
                unused.remove(c.method() + "." + k);
                mine = mine != null ? mine : composed;
            }
            if (mine == null) {
                throw new IllegalArgumentException("the recorded run gives the method parameter " + Printable.of(k)
                        + " a path; paths in a submitted run.json are never opened: give your own copy with --param "
                        + Printable.of(k) + "=DIR (it is checked against the recorded SHA-256)");
            }
            params.put(k, mine.toString());
        }
        if (!unused.isEmpty()) {
            throw new IllegalArgumentException("--param " + Printable.of(String.join(", ", unused)) + ": not a method"
                    + " parameter that holds a path in the recorded run" + (paths.isEmpty() ? " (it has none)"
                    : " (those are " + String.join(", ", paths) + ")") + "; the rest of the configuration is the recorded one");
        }
        Map<String, String> sets = new LinkedHashMap<>();
        if (c.settings() != null) {
            for (Iterator<Map.Entry<String, JsonNode>> it = c.settings().fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                sets.put(e.getKey(), e.getValue().isTextual() ? e.getValue().asText() : e.getValue().toString());
            }
        }
        return new RunRequest(c.benchmark(), c.method(), params, c.preset(), sets, own.model(), own.data(), c.seed(),
                c.device(), c.dtype(), c.threads());
    }

    /**
     * The keys of {@code c}'s method parameters that hold a path (a parameter of kind PATH set to other than its
     * special value), as the configuration writes them ({@code name}, or {@code id.name} when composed).
     */
    static java.util.Set<String> pathParams(RunConfig c, Registries registries) {
        java.util.Set<String> out = new java.util.TreeSet<>();
        if (c.methodParams() == null || c.method() == null) {
            return out;
        }
        String[] ids = c.method().split("\\+");
        for (String id : ids) {
            if (!registries.methods().providers().containsKey(id)) {
                continue; // resolving the configuration names the unknown method
            }
            for (ParamSpec p : registries.methods().provider(id).parameters()) {
                for (String key : ids.length == 1 ? List.of(p.name(), id + "." + p.name()) : List.of(id + "." + p.name())) {
                    Object v = c.methodParams().get(key);
                    if (p.kind() == ParamSpec.Kind.PATH && v != null && !v.equals(p.special())) {
                        out.add(key);
                    }
                }
            }
        }
        return out;
    }

    /**
     * {@code now} is {@code recorded} but for what a run again takes from the maintainer (the model, the data,
     * path parameters: compared by their files' SHA-256 instead) and the thread count.
     */
    static void checkConfig(RunConfig recorded, RunConfig now, java.util.Set<String> pathParams) {
        if (!Json.canonical(comparable(recorded, pathParams)).equals(Json.canonical(comparable(now, pathParams)))) {
            throw new IllegalArgumentException("the recorded configuration no longer resolves to itself (recorded "
                    + Printable.of(Json.canonical(recorded)) + ", now " + Printable.of(Json.canonical(now))
                    + "): the benchmark's version or a method's parameters changed since; this run cannot be repeated as it was");
        }
    }

    private static RunConfig comparable(RunConfig c, java.util.Set<String> pathParams) {
        // --threads does not change results and a configuration resolves to threads 0; a run folder that
        // recorded another count is compared without it
        java.util.SortedMap<String, Object> params = c.methodParams() == null ? null : new java.util.TreeMap<>(c.methodParams());
        if (params != null) {
            params.keySet().removeAll(pathParams);
        }
        return new RunConfig(c.benchmark(), c.benchmarkVersion(), c.method(), params, c.preset(), c.settings(), c.seed(),
                null, null, c.device(), c.dtype(), 0);
    }

    /**
     * Every recorded input file has its recorded SHA-256 now, and every plugin jar (code outside the
     * suite's own jars) is the recorded one; otherwise one error naming each difference.
     */
    static void checkInputs(RunRecord recorded, Map<String, InputFiles> now, Registries registries, String benchmark,
                            List<String> methods) throws IOException {
        List<String> problems = new ArrayList<>();
        if (recorded.provenance() == null || recorded.provenance().inputs() == null) {
            throw new IllegalArgumentException("run.json of " + Printable.of(recorded.config().id()) + " records no input files;"
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
            throw new IllegalArgumentException("cannot run " + Printable.of(recorded.config().id()) + " again as it was: "
                    + String.join("; ", problems));
        }
    }
}
