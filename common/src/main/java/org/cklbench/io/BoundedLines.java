package org.cklbench.io;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Path;

/**
 * Lines of a text file, as {@link java.io.BufferedReader#readLine()} splits them ({@code \n},
 * {@code \r\n} or {@code \r}), each at most a given length, with errors that name the file and line:
 * a line too long, or bytes that are not valid in the file's encoding.
 */
public final class BoundedLines {
    private final Path file;
    private final Reader in;
    private final int maxChars;
    private final char[] buf = new char[1 << 14];
    private int pos;
    private int end;
    private long number;
    private boolean skipLf;

    public BoundedLines(Path file, Reader in, int maxChars) {
        this.file = file;
        this.in = in;
        this.maxChars = maxChars;
    }

    /** The number of the line {@link #next()} returned last (1 for the first). */
    public long number() {
        return number;
    }

    /** The next line without its terminator, or null at the end of the file. */
    public String next() throws IOException {
        StringBuilder line = null;
        while (true) {
            if (pos == end && !fill()) {
                if (line == null) {
                    return null;
                }
                number++;
                return line.toString();
            }
            if (skipLf) {
                skipLf = false;
                if (buf[pos] == '\n') {
                    pos++;
                    continue;
                }
            }
            int start = pos;
            while (pos < end && buf[pos] != '\n' && buf[pos] != '\r') {
                pos++;
            }
            int len = pos - start;
            if ((line == null ? 0 : line.length()) + len > maxChars) {
                throw new JsonLines.LineException(file, number + 1, "line longer than " + maxChars
                        + " characters; is this the right file?");
            }
            if (line == null) {
                line = new StringBuilder(Math.max(16, len));
            }
            line.append(buf, start, len);
            if (pos < end) {
                skipLf = buf[pos] == '\r';
                pos++;
                number++;
                return line.toString();
            }
        }
    }

    private boolean fill() throws IOException {
        int n;
        try {
            n = in.read(buf, 0, buf.length);
        } catch (CharacterCodingException e) {
            // the decoder reads ahead, so the line is where the failing chunk began, or later
            throw (JsonLines.LineException) new JsonLines.LineException(file, number + 1, "bytes that are not UTF-8"
                    + " text at or after this line (" + e + "); save the file as UTF-8").initCause(e);
        }
        if (n <= 0) {
            return false;
        }
        pos = 0;
        end = n;
        return true;
    }
}
