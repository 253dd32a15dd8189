package org.cklbench.datasets.fetch;

import com.sun.net.httpserver.HttpServer;
import org.cklbench.io.Hashing;
import org.cklbench.progress.Progress;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Downloads from a local HTTP server that can cut a transfer short and honours Range requests. */
class FetcherTest {
    @TempDir
    Path tmp;

    private HttpServer server;
    private byte[] payload;
    private volatile int cutAfter = -1;
    private final List<String> ranges = new ArrayList<>();

    static byte[] zip(String... nameAndContent) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(bytes)) {
            for (int i = 0; i < nameAndContent.length; i += 2) {
                z.putNextEntry(new ZipEntry(nameAndContent[i]));
                z.write(nameAndContent[i + 1].getBytes(StandardCharsets.UTF_8));
                z.closeEntry();
            }
        }
        return bytes.toByteArray();
    }

    @BeforeEach
    void start() throws IOException {
        StringBuilder big = new StringBuilder();
        for (int i = 0; i < 5000; i++) {
            big.append("line ").append(i).append(" of the probes file\n");
        }
        payload = zip("probes/a.jsonl", big.toString(), "probes/b.jsonl", "{\"x\":1}\n");
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/data.zip", ex -> {
            String range = ex.getRequestHeaders().getFirst("Range");
            ranges.add(range);
            int from = range == null ? 0 : Integer.parseInt(range.replaceAll("bytes=(\\d+)-", "$1"));
            int length = payload.length - from;
            if (from > 0) {
                ex.getResponseHeaders().add("Content-Range", "bytes " + from + "-" + (payload.length - 1) + "/" + payload.length);
            }
            ex.sendResponseHeaders(from > 0 ? 206 : 200, length);
            try (OutputStream out = ex.getResponseBody()) {
                int n = cutAfter >= 0 ? Math.min(cutAfter, length) : length;
                out.write(payload, from, n);
                out.flush();
                if (n < length) {
                    cutAfter = -1;
                    throw new IOException("cut");
                }
            } catch (IOException e) {
                ex.close();
            }
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private Source source(String sha) {
        String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/data.zip";
        return new Source("test-set", "test", "none", List.of(new Source.RemoteFile("data.zip", List.of(url), sha)), true);
    }

    @Test
    void anInterruptedDownloadResumesWithARangeRequestAndRecordsItsChecksum() throws Exception {
        Fetcher f = new Fetcher(tmp, Progress.NONE, java.time.Duration.ofMillis(300));
        cutAfter = payload.length / 3;
        assertThatThrownBy(() -> f.fetch(source(null), null)).hasMessageContaining("could not download data.zip");
        Path part = tmp.resolve("datasets/.downloads/data.zip.part");
        assertThat(part).exists();
        assertThat(Files.size(part)).isEqualTo(payload.length / 3);

        Path dir = f.fetch(source(null), null);
        assertThat(ranges.get(ranges.size() - 1)).isEqualTo("bytes=" + payload.length / 3 + "-");
        assertThat(dir.resolve("probes/b.jsonl")).hasContent("{\"x\":1}");
        assertThat(Hashing.sha256(tmp.resolve("datasets/.downloads/data.zip"))).isEqualTo(sha(payload));
        assertThat(Files.readString(tmp.resolve("datasets/checksums.json"))).contains(sha(payload));
        assertThat(f.isFetched(source(null))).isTrue();
    }

    @Test
    void aChecksumMismatchIsRefused() throws Exception {
        Fetcher f = new Fetcher(tmp, Progress.NONE);
        assertThatThrownBy(() -> f.fetch(source("00".repeat(32)), null)).hasMessageContaining("SHA-256")
                .hasMessageContaining("does not match").hasMessageContaining("pinned");
        assertThat(f.isFetched(source(null))).isFalse();
    }

    @Test
    void aCopyOnDiskIsUsedWithTheSameChecks() throws Exception {
        Path local = Files.createDirectories(tmp.resolve("offline"));
        Files.write(local.resolve("data.zip"), payload);
        Fetcher f = new Fetcher(tmp.resolve("home"), Progress.NONE);
        Path dir = f.fetch(source(sha(payload)), local);
        assertThat(dir.resolve("probes/a.jsonl")).exists();
        assertThat(ranges).isEmpty();
        Files.write(local.resolve("data.zip"), zip("x.txt", "tampered"));
        Fetcher g = new Fetcher(tmp.resolve("home2"), Progress.NONE);
        assertThatThrownBy(() -> g.fetch(source(sha(payload)), local)).hasMessageContaining("does not match");
    }

    /** A garbage first copy is not pinned as the dataset's checksum, so a good copy is taken afterwards. */
    @Test
    void aGarbageFirstCopyRecordsNothingAndAGoodOneIsTakenAfterwards() throws Exception {
        Path local = Files.createDirectories(tmp.resolve("offline"));
        Files.writeString(local.resolve("data.zip"), "this is not a zip file at all");
        Fetcher f = new Fetcher(tmp.resolve("home"), Progress.NONE);
        assertThatThrownBy(() -> f.fetch(source(null), local)).hasMessageContaining("not a usable archive")
                .hasMessageContaining("data.zip");
        assertThat(tmp.resolve("home/datasets/checksums.json")).doesNotExist();
        try (var s = Files.list(tmp.resolve("home/datasets"))) {
            assertThat(s.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".tmp"));
        }
        Files.write(local.resolve("data.zip"), payload);
        Path dir = f.fetch(source(null), local);
        assertThat(dir.resolve("probes/b.jsonl")).hasContent("{\"x\":1}");
        assertThat(Files.readString(tmp.resolve("home/datasets/checksums.json"))).contains(sha(payload));
    }

    @Test
    void theReleasedLamaCklFilesVerifyAgainstTheirPinnedChecksums() throws Exception {
        Path shared = org.cklbench.testing.Shared.require("data/lama-ckl");
        Fetcher f = new Fetcher(tmp, Progress.NONE);
        Path dir = f.fetch(Catalogue.get("lama-ckl-release"), shared);
        assertThat(dir.resolve("variant.jsonl")).exists();
    }

    static String sha(byte[] b) throws Exception {
        return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(b));
    }
}
