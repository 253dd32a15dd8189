package org.cklbench.datasets.fetch;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.cklbench.io.Folders;
import org.cklbench.io.AtomicFiles;
import org.cklbench.io.Hashing;
import org.cklbench.progress.Progress;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Downloads a catalogue source into {@code CKL_HOME/datasets/<name>}: resumable ({@code .part} files
 * continue with HTTP range requests), verified against the known SHA-256 or against the one recorded
 * at the first download, and extracted (zips) with {@link Archives}. With a local folder instead of
 * the network, the same checks apply to the files found there.
 */
public final class Fetcher {
    private static final ObjectMapper JSON = new ObjectMapper();
    public static final String COMPLETE = ".complete";

    private final Path home;
    private final HttpClient http;
    private final Progress progress;
    private final Duration stall;

    public Fetcher(Path home, Progress progress) {
        this(home, progress, Duration.ofSeconds(60));
    }

    /** @param stall how long a transfer may go without a byte before it is abandoned (and can be resumed) */
    public Fetcher(Path home, Progress progress, Duration stall) {
        this.home = home;
        this.progress = progress;
        this.stall = stall;
        this.http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL)
                .connectTimeout(Duration.ofSeconds(30)).build();
    }

    /** Where a source lives once fetched. */
    public Path location(Source s) {
        return home.resolve("datasets").resolve(s.name());
    }

    public boolean isFetched(Source s) {
        return Files.isRegularFile(location(s).resolve(COMPLETE));
    }

    /**
     * Fetches (or, with {@code dataDir}, takes from that folder) every file of {@code s}; returns the
     * dataset folder. Does nothing when the folder is already complete.
     */
    public Path fetch(Source s, Path dataDir) throws IOException, InterruptedException {
        Path dir = location(s);
        if (isFetched(s)) {
            return dir;
        }
        Path downloads = Files.createDirectories(home.resolve("datasets").resolve(".downloads"));
        List<Path> files = new ArrayList<>();
        Map<String, String> unrecorded = new LinkedHashMap<>();
        for (Source.RemoteFile f : s.files()) {
            Path file = downloads.resolve(f.fileName());
            if (dataDir != null) {
                Path local = dataDir.resolve(f.fileName());
                if (!Files.isRegularFile(local)) {
                    throw new IOException("--data-dir " + dataDir + " has no " + f.fileName() + " (expected for dataset "
                            + s.name() + ")");
                }
                verify(s, f, local, unrecorded);
                files.add(local);
                continue;
            }
            if (!Files.isRegularFile(file)) {
                download(f, file);
            }
            verify(s, f, file, unrecorded);
            files.add(file);
        }
        Path tmp = dir.resolveSibling("." + s.name() + ".tmp");
        Folders.deleteTree(tmp);
        Files.createDirectories(tmp);
        try {
            for (Path f : files) {
                if (s.extract()) {
                    try {
                        Archives.unzip(f, tmp);
                    } catch (IOException | RuntimeException e) {
                        throw new IOException(f + " is not a usable archive (" + e.getMessage() + "); nothing was"
                                + " recorded of it: replace it with a good copy and fetch again", e);
                    }
                } else {
                    Files.copy(f, tmp.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
                }
            }
            AtomicFiles.writeString(tmp.resolve(COMPLETE), "fetched\n");
            Folders.deleteTree(dir);
            Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Folders.deleteTree(tmp);
        }
        // a checksum is recorded only once its file proved usable, so a bad first copy is never pinned
        record(unrecorded);
        return dir;
    }

    private void download(Source.RemoteFile f, Path target) throws IOException, InterruptedException {
        IOException last = null;
        for (String url : f.urls()) {
            try {
                downloadFrom(url, target);
                return;
            } catch (IOException e) {
                last = e;
            }
        }
        throw new IOException("could not download " + f.fileName() + " from " + f.urls() + ": "
                + (last == null ? "no URL" : last.getMessage()) + " (without internet, fetch it elsewhere and pass"
                + " --data-dir DIR)", last);
    }

    /** One URL, continuing {@code target.part} where a previous attempt stopped. */
    void downloadFrom(String url, Path target) throws IOException, InterruptedException {
        Path part = target.resolveSibling(target.getFileName() + ".part");
        long have = Files.isRegularFile(part) ? Files.size(part) : 0;
        HttpRequest.Builder req = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofMinutes(30));
        if (have > 0) {
            req.header("Range", "bytes=" + have + "-");
        }
        HttpResponse<InputStream> resp = http.send(req.build(), HttpResponse.BodyHandlers.ofInputStream());
        int code = resp.statusCode();
        boolean append = code == 206;
        if (code != 200 && code != 206) {
            resp.body().close();
            throw new IOException(url + " answered HTTP " + code);
        }
        long length = resp.headers().firstValueAsLong("Content-Length").orElse(-1);
        long total = length < 0 ? -1 : (append ? have : 0) + length;
        // The HTTP client's timeout covers the response headers only; a body that stops arriving is
        // abandoned by this watchdog, which closes the stream so the read fails (and the .part stays).
        AtomicLong lastByte = new AtomicLong(System.nanoTime());
        ScheduledExecutorService watchdog = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "fetch-watchdog");
            t.setDaemon(true);
            return t;
        });
        try (InputStream in = resp.body();
             OutputStream out = Files.newOutputStream(part, StandardOpenOption.CREATE,
                     append ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE);
             Progress.Task bar = progress.start(target.getFileName().toString(), Math.max(total, 1), "B")) {
            long checkMs = Math.max(10, stall.toMillis() / 4);
            watchdog.scheduleAtFixedRate(() -> {
                if (System.nanoTime() - lastByte.get() > stall.toNanos()) {
                    try {
                        in.close();
                    } catch (IOException ignored) {
                        // the read in progress fails either way
                    }
                }
            }, checkMs, checkMs, TimeUnit.MILLISECONDS);
            if (append) {
                bar.step(have);
            }
            byte[] buf = new byte[1 << 16];
            int n;
            while ((n = in.read(buf)) > 0) {
                out.write(buf, 0, n);
                lastByte.set(System.nanoTime());
                bar.step(n);
            }
        } finally {
            watchdog.shutdownNow();
        }
        if (total >= 0 && Files.size(part) != total) {
            throw new IOException(url + ": connection ended after " + Files.size(part) + " of " + total
                    + " bytes; run the fetch again to resume");
        }
        Files.move(part, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private Path recordFile() {
        return home.resolve("datasets").resolve("checksums.json");
    }

    private ObjectNode recorded() throws IOException {
        Path f = recordFile();
        return Files.isRegularFile(f) ? (ObjectNode) JSON.readTree(f.toFile()) : JSON.createObjectNode();
    }

    private void record(Map<String, String> checksums) throws IOException {
        if (checksums.isEmpty()) {
            return;
        }
        ObjectNode recorded = recorded();
        checksums.forEach(recorded::put);
        AtomicFiles.writeString(recordFile(), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(recorded));
    }

    /**
     * Checks the file against the known SHA-256, or the one recorded at the first good download; with
     * neither, adds it to {@code unrecorded}, to be recorded once the file proved usable.
     */
    private void verify(Source s, Source.RemoteFile f, Path file, Map<String, String> unrecorded) throws IOException {
        String actual = Hashing.sha256(file);
        String key = s.name() + "/" + f.fileName();
        String expected = f.sha256() != null ? f.sha256() : recorded().path(key).asText(null);
        if (expected == null) {
            unrecorded.put(key, actual);
            return;
        }
        if (!expected.equals(actual)) {
            throw new IOException(file + ": SHA-256 " + actual + " does not match the expected " + expected
                    + (f.sha256() != null ? " (pinned in the catalogue)" : " (recorded in " + recordFile()
                    + " at the first good download)") + "; the file is corrupt or the source changed. Delete it and fetch"
                    + " again" + (f.sha256() != null ? "." : ", or remove its line from " + recordFile() + " if the source"
                    + " changed on purpose."));
        }
    }
}
