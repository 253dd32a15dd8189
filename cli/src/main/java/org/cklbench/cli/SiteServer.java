package org.cklbench.cli;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.cklbench.site.SitePolicy;

/**
 * {@code ckl site serve}: the files of a built site on loopback, with the JDK's HTTP server (no dependency):
 * requests are handled on a pool of threads, so a client that sends half a request or never reads its answer
 * holds one thread and delays no other, and the server closes a request that has not arrived whole within
 * {@link #REQUEST_SECONDS} and an answer not taken within {@link #RESPONSE_SECONDS}. The raw request path is
 * percent-decoded once (a '+' stays a '+'); a malformed escape, a control character or bytes that are not
 * UTF-8 get 400; anything outside the site, a link, a missing file, or a file the site would not have written
 * ({@link SitePolicy#type}: a page below a run's folder, an image, an unknown extension) gets 404; a method
 * other than GET and HEAD gets 405. Every answer carries the site's Content-Security-Policy and
 * {@code X-Content-Type-Options: nosniff}, and a file's type comes from a fixed table, never from its bytes.
 */
final class SiteServer {
    /** Seconds a client has to send a whole request. */
    static final long REQUEST_SECONDS = 10;
    /** Seconds a client has to take a whole answer (the largest file of a site is a few MB on loopback). */
    static final long RESPONSE_SECONDS = 120;
    /** Threads answering at once. */
    private static final int THREADS = 16;

    static {
        // The JDK server reads its timeouts (seconds) from these properties once, when it makes its first server;
        // a value the user set on the command line stays.
        setDefault("sun.net.httpserver.maxReqTime", Long.toString(REQUEST_SECONDS));
        setDefault("sun.net.httpserver.maxRspTime", Long.toString(RESPONSE_SECONDS));
    }

    private final Path root;

    SiteServer(Path root) throws IOException {
        this.root = root.toRealPath();
    }

    private static void setDefault(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }

    HttpServer start(int port) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
        server.createContext("/", this::handle);
        AtomicInteger n = new AtomicInteger();
        server.setExecutor(Executors.newFixedThreadPool(THREADS, r -> {
            Thread t = new Thread(r, "ckl-site-serve-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        }));
        server.start();
        return server;
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            ex.getResponseHeaders().add("Content-Security-Policy", SitePolicy.CSP);
            ex.getResponseHeaders().add("X-Content-Type-Options", "nosniff");
            ex.getResponseHeaders().add("Referrer-Policy", "no-referrer");
            boolean head = ex.getRequestMethod().equals("HEAD");
            if (!head && !ex.getRequestMethod().equals("GET")) {
                ex.getResponseHeaders().add("Allow", "GET, HEAD");
                ex.sendResponseHeaders(405, -1);
                return;
            }
            String path = decode(ex.getRequestURI().getRawPath());
            if (path == null || !path.startsWith("/")) {
                ex.sendResponseHeaders(400, -1);
                return;
            }
            Path file = root.resolve(path.substring(1)).normalize();
            if (path.endsWith("/")) {
                file = file.resolve("index.html");
            }
            String type = file.startsWith(root) ? SitePolicy.type(root.relativize(file).toString().replace('\\', '/')) : null;
            if (type == null || !Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)
                    || !file.toRealPath().startsWith(root)) {
                ex.sendResponseHeaders(404, -1);
                return;
            }
            ex.getResponseHeaders().add("Content-Type", type);
            if (head) {
                // a HEAD answer has no body: given a length, the JDK server logs a warning for each one
                ex.sendResponseHeaders(200, -1);
                return;
            }
            ex.sendResponseHeaders(200, Files.size(file));
            try (OutputStream o = ex.getResponseBody(); InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
                in.transferTo(o);
            }
        }
    }

    /** Percent-decodes a raw path once, or null when it is malformed, not UTF-8, or holds a control character. */
    static String decode(String raw) {
        if (raw == null) {
            return null;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '%') {
                if (i + 2 >= raw.length()) {
                    return null;
                }
                int hi = Character.digit(raw.charAt(i + 1), 16);
                int lo = Character.digit(raw.charAt(i + 2), 16);
                if (hi < 0 || lo < 0) {
                    return null;
                }
                bytes.write(hi * 16 + lo);
                i += 2;
            } else if (c > 0x7f) {
                return null;
            } else {
                bytes.write(c);
            }
        }
        String s;
        try {
            s = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(java.nio.ByteBuffer.wrap(bytes.toByteArray()))
                    .toString();
        } catch (CharacterCodingException e) {
            return null;
        }
        return s.chars().anyMatch(Character::isISOControl) ? null : s;
    }
}
