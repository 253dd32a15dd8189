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

/** Every request gets an answer: the file, 404, or 400 for a path that is not one. */
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
}
