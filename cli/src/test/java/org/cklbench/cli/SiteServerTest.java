package org.cklbench.cli;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every request gets an answer: the file, 404, 400 for a path that is not one, 405 for a method other than GET
 * and HEAD; a site's own files only, each with its fixed type; and one slow client delays no other.
 */
class SiteServerTest {
    @TempDir
    Path tmp;

    /** The status line of a raw HTTP/1.1 GET, so that malformed paths reach the server as they are. */
    private static String status(int port, String rawPath) throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(5000);
            s.getOutputStream().write(("GET " + rawPath + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            String reply = new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            return reply.lines().findFirst().orElse("(no answer)");
        }
    }

    @Test
    void answersEveryPathOnce() throws Exception {
        Path site = Files.createDirectories(tmp.resolve("site"));
        Files.writeString(site.resolve("index.html"), "<p>home</p>");
        Files.createDirectories(site.resolve("methods"));
        Files.writeString(site.resolve("methods/taalm+kadapter.html"), "<p>composed</p>");
        Files.writeString(tmp.resolve("secret.txt"), "secret");
        Files.createSymbolicLink(site.resolve("link.txt"), tmp.resolve("secret.txt"));
        HttpServer server = new SiteServer(site).start(0);
        try {
            int port = server.getAddress().getPort();
            assertThat(status(port, "/")).contains(" 200 ");
            assertThat(status(port, "/methods/taalm+kadapter.html")).as("a '+' stays a '+'").contains(" 200 ");
            assertThat(status(port, "/methods/taalm%2Bkadapter.html")).contains(" 200 ");
            assertThat(status(port, "/%00")).contains(" 400 ");
            assertThat(status(port, "/%zz")).contains(" 400 ");
            assertThat(status(port, "/%c3%28")).as("not UTF-8").contains(" 400 ");
            assertThat(status(port, "/%25zz")).as("decoded once: a name that is not there").contains(" 404 ");
            assertThat(status(port, "/../secret.txt")).contains(" 404 ");
            assertThat(status(port, "/%2e%2e/secret.txt")).contains(" 404 ");
            assertThat(status(port, "/link.txt")).as("links are not served").contains(" 404 ");
        } finally {
            server.stop(0);
        }
    }

    /** The whole raw answer (status line, headers, body) of a request with method {@code method}. */
    private static String answer(int port, String method, String rawPath) throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(5000);
            s.getOutputStream().write((method + " " + rawPath + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n"
                    + "Connection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }

    private static String header(String answer, String name) {
        return answer.lines().takeWhile(l -> !l.isEmpty()).filter(l -> l.toLowerCase(java.util.Locale.ROOT)
                .startsWith(name.toLowerCase(java.util.Locale.ROOT) + ":")).map(l -> l.substring(l.indexOf(':') + 1).trim())
                .findFirst().orElse(null);
    }

    private Path site() throws IOException {
        Path site = Files.createDirectories(tmp.resolve("site"));
        Files.writeString(site.resolve("index.html"), "<p>home</p>");
        Files.writeString(site.resolve("leaderboard.csv"), "a,b\n");
        Files.createDirectories(site.resolve("assets"));
        Files.writeString(site.resolve("assets/site.js"), "// js");
        Files.createDirectories(site.resolve("runs/r/predictions"));
        Files.writeString(site.resolve("runs/r.html"), "<p>run</p>");
        Files.writeString(site.resolve("runs/r/run.json"), "{}");
        Files.writeString(site.resolve("runs/r/predictions/e.jsonl"), "{}\n");
        // what a site built before publishing was bounded (or a file dropped in later) may hold
        Files.writeString(site.resolve("runs/r/report.html"), "<script>alert(1)</script>");
        Files.writeString(site.resolve("runs/r/index.html"), "<script>alert(1)</script>");
        Files.writeString(site.resolve("runs/r/img.svg"), "<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>");
        Files.writeString(site.resolve("runs/r/notes.txt"), "<script>alert(1)</script>");
        Files.writeString(site.resolve("page.htm"), "<script>alert(1)</script>");
        return site;
    }

    @Test
    void everyFileHasItsFixedTypeAndPolicyAndNoSubmittedFileIsMarkup() throws Exception {
        HttpServer server = new SiteServer(site()).start(0);
        try {
            int port = server.getAddress().getPort();
            String home = answer(port, "GET", "/");
            assertThat(home).startsWith("HTTP/1.1 200");
            assertThat(header(home, "Content-Type")).isEqualTo("text/html; charset=utf-8");
            assertThat(header(home, "X-Content-Type-Options")).isEqualTo("nosniff");
            assertThat(header(home, "Content-Security-Policy")).isEqualTo(org.cklbench.site.SitePolicy.CSP);
            assertThat(header(answer(port, "GET", "/runs/r.html"), "Content-Type")).startsWith("text/html");
            assertThat(header(answer(port, "GET", "/runs/r/run.json"), "Content-Type")).isEqualTo("application/json");
            assertThat(header(answer(port, "GET", "/runs/r/predictions/e.jsonl"), "Content-Type"))
                    .isEqualTo("application/x-ndjson");
            assertThat(header(answer(port, "GET", "/assets/site.js"), "Content-Type")).startsWith("text/javascript");
            assertThat(header(answer(port, "GET", "/leaderboard.csv"), "Content-Type")).startsWith("text/csv");
            for (String foreign : new String[] {"/runs/r/report.html", "/runs/r/", "/runs/r/index.html", "/runs/r/img.svg",
                "/runs/r/notes.txt", "/page.htm"}) {
                String a = answer(port, "GET", foreign);
                assertThat(a).as(foreign).startsWith("HTTP/1.1 404").doesNotContain("alert");
            }
        } finally {
            server.stop(0);
        }
    }

    @Test
    void methodsOtherThanGetAndHeadGet405WithAllow() throws Exception {
        HttpServer server = new SiteServer(site()).start(0);
        try {
            int port = server.getAddress().getPort();
            for (String m : new String[] {"POST", "PUT", "DELETE", "OPTIONS", "PATCH", "TRACE"}) {
                String a = answer(port, m, "/index.html");
                assertThat(a).as(m).startsWith("HTTP/1.1 405");
                assertThat(header(a, "Allow")).as(m).isEqualTo("GET, HEAD");
            }
            String head = answer(port, "HEAD", "/index.html");
            assertThat(head).startsWith("HTTP/1.1 200").endsWith("\r\n\r\n");
        } finally {
            server.stop(0);
        }
    }

    /** HEAD is answered without the warning the JDK server logs when a HEAD response is given a length. */
    @Test
    void headLogsNoWarning() throws Exception {
        java.util.List<java.util.logging.LogRecord> warnings = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.util.logging.Handler h = new java.util.logging.Handler() {
            @Override
            public void publish(java.util.logging.LogRecord r) {
                if (r.getLevel().intValue() >= java.util.logging.Level.WARNING.intValue()) {
                    warnings.add(r);
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        java.util.logging.Logger log = java.util.logging.Logger.getLogger("com.sun.net.httpserver");
        log.addHandler(h);
        HttpServer server = new SiteServer(site()).start(0);
        try {
            int port = server.getAddress().getPort();
            for (int i = 0; i < 3; i++) {
                assertThat(answer(port, "HEAD", "/")).startsWith("HTTP/1.1 200");
            }
            assertThat(warnings).extracting(java.util.logging.LogRecord::getMessage).isEmpty();
        } finally {
            server.stop(0);
            log.removeHandler(h);
        }
    }

    /** A client that sends half a request line and stops delays no other, and is closed by the server in time. */
    @Test
    void aSlowClientBlocksNoOther() throws Exception {
        HttpServer server = new SiteServer(site()).start(0);
        try (Socket slow = new Socket("127.0.0.1", server.getAddress().getPort())) {
            int port = server.getAddress().getPort();
            slow.getOutputStream().write("GET /ind".getBytes(StandardCharsets.ISO_8859_1));
            slow.getOutputStream().flush();
            Thread.sleep(300);
            assertThat(status(port, "/")).contains(" 200 ");
            // the server closes a request that does not arrive whole within its bound
            slow.setSoTimeout((int) (SiteServer.REQUEST_SECONDS + 20) * 1000);
            int read;
            try {
                read = slow.getInputStream().read();
            } catch (java.net.SocketException reset) {
                read = -1;
            }
            assertThat(read).as("closed without an answer").isEqualTo(-1);
        } finally {
            server.stop(0);
        }
    }

    /** A client that asks for a large file and never reads it delays no other. */
    @Test
    void aClientThatDoesNotReadBlocksNoOther() throws Exception {
        Path site = site();
        byte[] big = new byte[20 << 20];
        java.util.Arrays.fill(big, (byte) 'a');
        Files.write(site.resolve("runs/r/predictions/big.jsonl"), big);
        HttpServer server = new SiteServer(site).start(0);
        try (Socket stalled = new Socket("127.0.0.1", server.getAddress().getPort())) {
            stalled.setReceiveBufferSize(4096);
            stalled.getOutputStream().write(("GET /runs/r/predictions/big.jsonl HTTP/1.1\r\nHost: x\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            stalled.getOutputStream().flush();
            Thread.sleep(500);
            assertThat(status(server.getAddress().getPort(), "/")).contains(" 200 ");
            assertThat(status(server.getAddress().getPort(), "/runs/r.html")).contains(" 200 ");
        } finally {
            server.stop(0);
        }
    }
}
