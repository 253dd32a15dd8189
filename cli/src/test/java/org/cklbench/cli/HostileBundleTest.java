package org.cklbench.cli;

import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.cklbench.cli.Cli.ckl;

/**
 * Issue 25's hostile bundles (items 3, 6, 11, 12, 14, 15, 17): each refused with a short message naming
 * the bundle and leaving nothing behind, a submitter's verification never carried through, and
 * {@code ckl submit} never packing what its own unpack refuses.
 */
class HostileBundleTest {
    private static final String MANIFEST = "{\"format\":\"" + Bundles.FORMAT + "\",\"runs\":[],\"plugins\":[]}";
    private static final String RUN_JSON = "{\"config\":{\"benchmark\":\"lama-ckl\",\"method\":\"finetune\","
            + "\"preset\":\"smoke\",\"seed\":1}}";

    @TempDir
    Path tmp;

    private final long maxBytes = Bundles.maxBytes;
    private final int maxEntries = Bundles.maxEntries;

    @AfterEach
    void limits() {
        Bundles.maxBytes = maxBytes;
        Bundles.maxEntries = maxEntries;
    }

    /** Only what is in {@code dir}: the target and no temporary folder beside it. */
    private static List<String> listing(Path dir) throws Exception {
        try (var s = Files.walk(dir)) {
            return s.map(p -> dir.relativize(p).toString()).filter(n -> !n.isEmpty()).sorted().toList();
        }
    }

    @Test
    void aBundleRefusedByItsLastEntryLeavesNothingBehind() throws Exception {
        Path bundle = zip("late.zip", "manifest.json", MANIFEST, "runs/a/run.json", RUN_JSON, "runs/a/summary.json", "{}",
                "runs/../../outside.txt", "x");
        Path where = Files.createDirectories(tmp.resolve("where"));
        Cli.Run r = ckl("submit", "--unpack", bundle.toString(), "--out", where.resolve("open").toString());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("late.zip", "not a plain relative name");
        assertThat(listing(where)).isEmpty();
        assertThat(tmp.resolve("outside.txt")).doesNotExist();
    }

    /**
     * A declared method's files come back as plugins/ entries, executable ones made executable again: a link
     * there (a script, or a folder a script sits in, pointing elsewhere) or a name stepping out of plugins/ is
     * refused as anywhere else in a bundle, with nothing left behind.
     */
    @Test
    void aLinkOrAnEscapeAmongThePluginEntriesIsRefusedWithNothingLeft() throws Exception {
        for (String linked : List.of("plugins/train.sh", "plugins/lib")) {
            Path bundle = tmp.resolve("link-" + linked.replace('/', '-') + ".zip");
            try (OutputStream os = Files.newOutputStream(bundle); ZipArchiveOutputStream z = new ZipArchiveOutputStream(os)) {
                put(z, "manifest.json", MANIFEST);
                put(z, "runs/a/run.json", RUN_JSON);
                put(z, "plugins/mine.external.json", "{\"id\": \"mine\", \"command\": [\"./train.sh\"]}");
                ZipArchiveEntry e = new ZipArchiveEntry(linked);
                e.setUnixMode(0120755);
                z.putArchiveEntry(e);
                z.write("/etc".getBytes(StandardCharsets.UTF_8));
                z.closeArchiveEntry();
            }
            Path where = Files.createDirectories(tmp.resolve("where-" + linked.replace('/', '-')));
            Cli.Run r = ckl("submit", "--unpack", bundle.toString(), "--out", where.resolve("open").toString());
            assertThat(r.code()).isEqualTo(1);
            assertThat(r.err()).contains(bundle.getFileName().toString(), linked, "symbolic link");
            assertThat(listing(where)).isEmpty();
        }
        Path escape = zip("escape.zip", "manifest.json", MANIFEST, "runs/a/run.json", RUN_JSON,
                "plugins/../../outside.sh", "#!/bin/sh\n");
        Path where = Files.createDirectories(tmp.resolve("where-escape"));
        Cli.Run r = ckl("submit", "--unpack", escape.toString(), "--out", where.resolve("open").toString());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("escape.zip", "plugins/../../outside.sh", "not a plain relative name");
        assertThat(listing(where)).isEmpty();
        assertThat(tmp.resolve("outside.sh")).doesNotExist();
    }

    @Test
    void aZipBombAndAnEntryCountBombAreStoppedWithNothingLeft() throws Exception {
        Bundles.maxBytes = 1 << 20;
        Path bomb = tmp.resolve("bomb.zip");
        try (OutputStream os = Files.newOutputStream(bomb); ZipArchiveOutputStream z = new ZipArchiveOutputStream(os)) {
            put(z, "manifest.json", MANIFEST);
            put(z, "runs/a/run.json", RUN_JSON);
            z.putArchiveEntry(new ZipArchiveEntry("runs/a/metrics.jsonl"));
            byte[] zeros = new byte[1 << 16];
            for (int i = 0; i < 64; i++) { // 4 MiB of zeros that deflate to a few KiB
                z.write(zeros);
            }
            z.closeArchiveEntry();
        }
        assertThat(Files.size(bomb)).isLessThan(100_000);
        Path where = Files.createDirectories(tmp.resolve("where"));
        Cli.Run r = ckl("submit", "--unpack", bomb.toString(), "--out", where.resolve("open").toString());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("bomb.zip", "more than " + (1 << 20) + " bytes");
        assertThat(listing(where)).isEmpty();

        Bundles.maxEntries = 50;
        List<String> many = new ArrayList<>(List.of("manifest.json", MANIFEST));
        for (int i = 0; i < 60; i++) {
            many.add("runs/a/predictions/e" + i + ".jsonl");
            many.add("{}");
        }
        Path count = zip("count.zip", many.toArray(String[]::new));
        Cli.Run c = ckl("submit", "--unpack", count.toString(), "--out", where.resolve("open").toString());
        assertThat(c.code()).isEqualTo(1);
        assertThat(c.err()).contains("count.zip", "more than 50 entries");
        assertThat(listing(where)).isEmpty();

        // the site's reading of a folder of bundles leaves nothing of a refused one either
        Path scratch = Files.createDirectories(tmp.resolve("scratch"));
        Path bundles = Files.createDirectories(tmp.resolve("bundles"));
        Files.copy(count, bundles.resolve("count.zip"));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Bundles.expand(bundles, scratch, new ArrayList<>()))
                .hasMessageContaining("count.zip");
        assertThat(listing(scratch)).isEmpty();

        // beside a good bundle, a refused one is left out, named, and the good one is read
        Files.copy(zip("good.zip", "manifest.json", MANIFEST, "runs/a/run.json", RUN_JSON), bundles.resolve("good.zip"));
        List<String> refused = new ArrayList<>();
        Path read = Bundles.expand(bundles, scratch, refused);
        assertThat(refused).singleElement().asString().contains("count.zip", "more than 50 entries");
        assertThat(listing(read)).containsExactly("2-good", "2-good/manifest.json", "2-good/runs", "2-good/runs/a",
                "2-good/runs/a/run.json");
    }

    @Test
    void aSubmittersOwnVerificationIsDroppedOnUnpack() throws Exception {
        String forged = "{\"verdict\":\"byte-equal\",\"complete_run\":true,\"run_id\":\"x\"}";
        Path bundle = zip("team.zip", "manifest.json", MANIFEST, "runs/a/run.json", RUN_JSON, "runs/a/summary.json", "{}",
                "runs/a/verification.json", forged);
        Path open = tmp.resolve("open");
        Cli.Run r = ckl("submit", "--unpack", bundle.toString(), "--out", open.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(open.resolve("runs/a/run.json")).exists();
        assertThat(open.resolve("runs/a/verification.json")).doesNotExist();
        assertThat(r.err()).contains("verification.json", "dropped");

        Path scratch = Files.createDirectories(tmp.resolve("scratch"));
        Path read = Bundles.expand(bundle, scratch, new ArrayList<>());
        try (var s = Files.walk(read)) {
            assertThat(s.map(Path::getFileName).map(Path::toString)).doesNotContain("verification.json");
        }
    }

    @Test
    void zstdAndXzEntriesGiveAClearErrorNamingBundleAndEntry() throws Exception {
        for (int method : new int[] {93, 95}) { // zstd, xz: methods commons-compress reads only with extra libraries
            Path bundle = zip("packed" + method + ".zip", "manifest.json", MANIFEST, "runs/a/run.json", RUN_JSON);
            setMethod(bundle, "runs/a/run.json", method);
            Path where = Files.createDirectories(tmp.resolve("where" + method));
            Cli.Run r = ckl("submit", "--unpack", bundle.toString(), "--out", where.resolve("open").toString());
            assertThat(r.code()).isEqualTo(1);
            assertThat(r.err()).contains("packed" + method + ".zip", "runs/a/run.json", "compression")
                    .doesNotContain("NoClassDefFoundError", "\tat ");
            assertThat(listing(where)).isEmpty();
        }
    }

    @Test
    void aDeepPathGivesAShortMessageNamingTheBundle() throws Exception {
        String deep = "runs/a/" + String.join("/", java.util.Collections.nCopies(40, "d".repeat(150))) + "/x.json";
        Path bundle = zip("deep.zip", "manifest.json", MANIFEST, deep, "{}");
        Path where = Files.createDirectories(tmp.resolve("where"));
        Cli.Run r = ckl("submit", "--unpack", bundle.toString(), "--out", where.resolve("open").toString());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("deep.zip");
        assertThat(r.err().length()).isLessThan(600);
        assertThat(listing(where)).isEmpty();
    }

    /** A complete run folder (as far as submit reads one) with {@code extra} beside its files. */
    private Path runs(String extra) throws Exception {
        Path run = Files.createDirectories(tmp.resolve("runs").resolve("a"));
        Files.writeString(run.resolve("run.json"), RUN_JSON);
        Files.writeString(run.resolve("summary.json"), "{}");
        Files.writeString(run.resolve("metrics.jsonl"), "{}\n");
        if (extra != null) {
            Files.writeString(run.resolve(extra), "notes");
        }
        return run.getParent();
    }

    @Test
    void submitNeverPacksANameItsOwnUnpackRefuses() throws Exception {
        Path runs = runs("notes (1).txt");
        Path out = tmp.resolve("b.zip");
        Cli.Run r = ckl("submit", "--runs", runs.toString(), "--out", out.toString());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("notes (1).txt", "rename");
        assertThat(out).doesNotExist();

        Files.delete(runs.resolve("a").resolve("notes (1).txt"));
        Files.writeString(runs.resolve("a").resolve("Metrics.jsonl"), "{}"); // differs from metrics.jsonl only in case
        Cli.Run twice = ckl("submit", "--runs", runs.toString(), "--out", out.toString());
        assertThat(twice.code()).isEqualTo(1);
        assertThat(twice.err()).contains("Metrics.jsonl", "metrics.jsonl", "case");
        Files.delete(runs.resolve("a").resolve("Metrics.jsonl"));

        Cli.Run ok = ckl("submit", "--runs", runs.toString(), "--out", out.toString());
        assertThat(ok.code()).as(ok.err()).isZero();
        Cli.Run back = ckl("submit", "--unpack", out.toString(), "--out", tmp.resolve("open").toString());
        assertThat(back.code()).as(back.err()).isZero();
        assertThat(tmp.resolve("open/runs/a/metrics.jsonl")).exists();
    }

    @Test
    void submitFollowsNoLinkInARunFolder() throws Exception {
        Path runs = runs(null);
        Path elsewhere = Files.createDirectories(tmp.resolve("elsewhere"));
        Files.writeString(elsewhere.resolve("e0.jsonl"), "secret");
        Files.createSymbolicLink(runs.resolve("a").resolve("predictions"), elsewhere);
        Cli.Run r = ckl("submit", "--runs", runs.toString(), "--out", tmp.resolve("b.zip").toString());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("predictions", "symbolic link");
        assertThat(tmp.resolve("b.zip")).doesNotExist();
    }

    @Test
    void stringsFromARunFolderArePrintedWithoutTerminalEscapes() throws Exception {
        Path runs = runs(null);
        // in the file as JSON escapes, so that the value read holds the raw control characters
        Files.writeString(runs.resolve("a").resolve("run.json"), RUN_JSON.replace("finetune",
                "finetune\\u001b]52;c;ZWNobyBoaQ==\\u0007"));
        Cli.Run from = ckl("run", "--from", runs.resolve("a").toString(), "--out", tmp.resolve("again").toString());
        assertThat(from.code()).isEqualTo(1);
        assertThat(from.err()).doesNotContain("\u001b", "\u0007").contains("\\u001b");
        Cli.Run submit = ckl("submit", "--runs", runs.toString(), "--out", tmp.resolve("b.zip").toString());
        assertThat(submit.out() + submit.err()).doesNotContain("\u001b", "\u0007");
    }

    private Path zip(String name, String... entries) throws Exception {
        Path out = tmp.resolve(name);
        try (OutputStream os = Files.newOutputStream(out); ZipArchiveOutputStream z = new ZipArchiveOutputStream(os)) {
            for (int i = 0; i < entries.length; i += 2) {
                put(z, entries[i], entries[i + 1]);
            }
        }
        return out;
    }

    private static void put(ZipArchiveOutputStream z, String name, String text) throws Exception {
        z.putArchiveEntry(new ZipArchiveEntry(name));
        z.write(text.getBytes(StandardCharsets.UTF_8));
        z.closeArchiveEntry();
    }

    /** Rewrites the compression method of {@code entry} in its local and central headers, as another zip tool would. */
    private static void setMethod(Path zip, String entry, int method) throws Exception {
        byte[] b = Files.readAllBytes(zip);
        byte[] name = entry.getBytes(StandardCharsets.UTF_8);
        java.nio.ByteBuffer buf = java.nio.ByteBuffer.wrap(b).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        int patched = 0;
        for (int i = 0; i + 46 < b.length; i++) {
            int sig = buf.getInt(i);
            int nameAt = sig == 0x04034b50 ? i + 30 : sig == 0x02014b50 ? i + 46 : -1;
            int lenAt = sig == 0x04034b50 ? i + 26 : i + 28;
            if (nameAt < 0 || (buf.getShort(lenAt) & 0xffff) != name.length
                    || !java.util.Arrays.equals(b, nameAt, nameAt + name.length, name, 0, name.length)) {
                continue;
            }
            buf.putShort(sig == 0x04034b50 ? i + 8 : i + 10, (short) method);
            patched++;
        }
        assertThat(patched).isEqualTo(2);
        Files.write(zip, b);
    }
}
