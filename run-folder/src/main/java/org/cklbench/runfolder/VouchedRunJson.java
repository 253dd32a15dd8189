package org.cklbench.runfolder;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.cklbench.io.Hashing;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;

/**
 * The part of a run.json that {@code ckl verify} can vouch for: everything a run again reproduces. Left
 * out are the submitter's own account of the run, which a run again on another machine cannot repeat and
 * so cannot check: the paths it named (the model, the data, each input, path parameters; a run again
 * never opens them, it takes the maintainer's own inputs matched by their SHA-256), when it ran, the
 * software it ran on, where its classes came from (paths; the jars' SHA-256 are vouched for), and the file's own id (the site names a run by the
 * id its configuration gives).
 */
public final class VouchedRunJson {
    private VouchedRunJson() {
    }

    /** The fields of {@code run} (run.json as a tree) left out, as JSON pointers, {@code pathParams} among them. */
    public static List<String> notVouched(JsonNode run, Collection<String> pathParams) {
        List<String> out = new ArrayList<>(List.of("/id", "/config/model", "/config/data", "/config/threads",
                "/provenance/software", "/provenance/benchmark_origin", "/provenance/method_origins",
                "/provenance/started", "/provenance/resumed", "/provenance/finished"));
        for (String p : pathParams) {
            out.add("/config/method_params/" + escape(p));
        }
        for (int i = 0; i < run.path("methods").size(); i++) {
            out.add("/methods/" + i + "/origin"); // the jar's path; its SHA-256 is provenance.code_sha256
        }
        JsonNode inputs = run.path("provenance").path("inputs");
        for (Iterator<String> it = inputs.fieldNames(); it.hasNext(); ) {
            out.add("/provenance/inputs/" + escape(it.next()) + "/path");
        }
        return out;
    }

    /** {@code run} without the fields at {@code notVouched}. */
    public static ObjectNode view(JsonNode run, List<String> notVouched) {
        ObjectNode copy = run.isObject() ? ((ObjectNode) run).deepCopy() : Json.FILES.createObjectNode();
        for (String pointer : notVouched) {
            int cut = pointer.lastIndexOf('/');
            JsonNode parent = copy.at(pointer.substring(0, cut));
            if (parent instanceof ObjectNode o) {
                o.remove(unescape(pointer.substring(cut + 1)));
            }
        }
        return copy;
    }

    /** SHA-256 of the canonical JSON of {@code runJson}'s vouched part. */
    public static String sha256(Path runJson, List<String> notVouched) throws IOException {
        return Hashing.sha256(Json.canonical(view(Json.read(runJson, JsonNode.class), notVouched)));
    }

    private static String escape(String key) {
        return key.replace("~", "~0").replace("/", "~1");
    }

    private static String unescape(String part) {
        return part.replace("~1", "/").replace("~0", "~");
    }
}
