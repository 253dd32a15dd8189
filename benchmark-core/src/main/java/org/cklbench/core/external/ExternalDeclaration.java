package org.cklbench.core.external;

import com.fasterxml.jackson.databind.JsonNode;
import org.cklbench.runfolder.Json;
import org.cklbench.text.Printable;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A named external method: {@code <id>.external.json} in a plugin folder (docs/external-methods.md,
 * "Declaring a method"). Every field is checked when the folder is loaded, and each problem names the file.
 *
 * @param folder     the declaration's folder: the command's working directory, and what {@code files} are relative to
 * @param parameters extra string parameters the method takes ({@code --param name=value}), with their defaults
 */
public record ExternalDeclaration(Path file, Path folder, String id, String description, List<String> command,
                                  List<String> files, boolean privileged, int timeoutSeconds,
                                  Map<String, String> parameters) {
    public static final String SUFFIX = ".external.json";
    private static final Set<String> KEYS = Set.of("id", "description", "command", "files", "privileged",
            "timeout_seconds", "parameters");

    /** The declarations in {@code pluginDir}, in name order; none where it is null. */
    public static List<ExternalDeclaration> scan(Path pluginDir) throws IOException {
        List<ExternalDeclaration> out = new ArrayList<>();
        if (pluginDir == null || !Files.isDirectory(pluginDir)) {
            return out;
        }
        try (var s = Files.list(pluginDir)) {
            for (Path p : s.filter(f -> f.getFileName().toString().endsWith(SUFFIX)).sorted().toList()) {
                out.add(read(p));
            }
        }
        return out;
    }

    public static ExternalDeclaration read(Path file) throws IOException {
        String where = Printable.of(file.toString());
        if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            throw new IOException(where + " is not a regular file (a declaration must not be a link)");
        }
        JsonNode n;
        try {
            n = Json.read(file, JsonNode.class);
        } catch (IOException e) {
            throw new IOException(where + ": not valid JSON: " + Printable.of(e.getMessage()), e);
        }
        if (!n.isObject()) {
            throw new IOException(where + ": must be a JSON object");
        }
        for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!KEYS.contains(k)) {
                throw new IOException(where + ": unknown key '" + Printable.of(k) + "' (known: " + String.join(", ",
                        new java.util.TreeSet<>(KEYS)) + ")");
            }
        }
        String name = file.getFileName().toString();
        String id = text(n, "id", where, null);
        if (!id.matches("[a-z0-9][a-z0-9_-]*") || id.equals("external")) {
            throw new IOException(where + ": id '" + Printable.of(id) + "' must be lower case letters, digits, '-' or"
                    + " '_' (and not 'external')");
        }
        if (!name.equals(id + SUFFIX)) {
            throw new IOException(where + ": the file must be named " + id + SUFFIX + " after its id");
        }
        String description = text(n, "description", where, "external method " + id);
        Path folder = file.toAbsolutePath().normalize().getParent();
        List<String> command = strings(n.get("command"), "command", where);
        if (command.isEmpty() || command.get(0).isEmpty()) {
            throw new IOException(where + ": command must be a non-empty list of words, the program first");
        }
        List<String> files = strings(n.get("files"), "files", where);
        for (String f : files) {
            listedFile(folder, f, where);
        }
        JsonNode priv = n.get("privileged");
        if (priv != null && !priv.isBoolean()) {
            throw new IOException(where + ": privileged must be true or false");
        }
        JsonNode t = n.get("timeout_seconds");
        if (t != null && (!t.canConvertToInt() || !t.isIntegralNumber() || t.asInt() < 1)) {
            throw new IOException(where + ": timeout_seconds must be a positive whole number of seconds");
        }
        Map<String, String> params = new LinkedHashMap<>();
        JsonNode p = n.get("parameters");
        if (p != null) {
            if (!p.isObject()) {
                throw new IOException(where + ": parameters must be an object of name: default (text)");
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = p.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (!e.getKey().matches("[a-z][a-z0-9_]*") || ExternalMethods.RESERVED.contains(e.getKey())
                        || !e.getValue().isTextual()) {
                    throw new IOException(where + ": parameter '" + Printable.of(e.getKey()) + "' must be a lower case"
                            + " name (not one of " + ExternalMethods.RESERVED + ") with a text default");
                }
                params.put(e.getKey(), e.getValue().asText());
            }
        }
        return new ExternalDeclaration(file.toAbsolutePath().normalize(), folder, id, description, command, files,
                priv != null && priv.asBoolean(), t == null ? ExternalMethods.DEFAULT_TIMEOUT : t.asInt(), params);
    }

    /**
     * The file a {@code files} entry {@code f} names in the declaration's {@code folder}, checked: a regular file
     * the folder itself holds. Refused, naming the entry: a path that is absolute, empty, has a {@code .} or
     * {@code ..} part, passes through a symbolic link (a linked folder, say {@code lib/} in {@code lib/x.py}), or
     * whose real path is not inside the folder's. A file from elsewhere would otherwise be hashed into a run's
     * provenance and packed by {@code ckl submit} into a public bundle. Called when a declaration is read and
     * again by whatever then reads the file, since the folder may have changed in between.
     */
    public static Path listedFile(Path folder, String f, String where) throws IOException {
        String entry = where + ": files entry '" + Printable.of(f) + "'";
        Path rel;
        try {
            rel = Path.of(f);
        } catch (java.nio.file.InvalidPathException e) {
            throw new IOException(entry + " is not a path", e);
        }
        boolean plain = !f.isEmpty() && !rel.isAbsolute();
        for (Path part : rel) {
            plain &= !part.toString().equals(".") && !part.toString().equals("..");
        }
        if (!plain) {
            throw new IOException(entry + " must be a path inside the declaration's folder (relative, without '.' or"
                    + " '..' parts)");
        }
        Path p = folder.resolve(rel);
        Path on = folder;
        for (int i = 0; i < rel.getNameCount() - 1; i++) {
            on = on.resolve(rel.getName(i));
            if (Files.isSymbolicLink(on)) {
                throw new IOException(entry + " passes through the symbolic link '" + Printable.of(folder.relativize(on)
                        .toString()) + "'; a declaration's files must be in its own folder: copy them there instead of linking");
            }
        }
        if (!Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
            throw new IOException(entry + " is not a regular file in " + Printable.of(folder.toString()));
        }
        if (!p.toRealPath().startsWith(folder.toRealPath())) { // what the checks above rule out, said once more
            throw new IOException(entry + " is not inside " + Printable.of(folder.toString()) + " once links are resolved");
        }
        return p;
    }

    private static String text(JsonNode n, String key, String where, String dflt) throws IOException {
        JsonNode v = n.get(key);
        if (v == null && dflt != null) {
            return dflt;
        }
        if (v == null || !v.isTextual()) {
            throw new IOException(where + ": " + key + " must be text");
        }
        return v.asText();
    }

    private static List<String> strings(JsonNode v, String key, String where) throws IOException {
        List<String> out = new ArrayList<>();
        if (v == null) {
            return out;
        }
        if (!v.isArray()) {
            throw new IOException(where + ": " + key + " must be a list of text");
        }
        for (JsonNode x : v) {
            if (!x.isTextual() || x.asText().chars().anyMatch(Character::isISOControl)) {
                throw new IOException(where + ": every entry of " + key + " must be text without control characters");
            }
            out.add(x.asText());
        }
        return out;
    }
}
