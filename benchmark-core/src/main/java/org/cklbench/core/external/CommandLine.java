package org.cklbench.core.external;

import java.util.ArrayList;
import java.util.List;

/**
 * A command given as one string ({@code --param command="python3 my method.py"}) split into words as a
 * shell would split a simple command, without running a shell: blanks separate words; '…' keeps its
 * text as is; "…" keeps its text with \" and \\ escaped; \ outside quotes takes the next character.
 * No variables, globs, pipes or redirections: their characters are plain text.
 */
public final class CommandLine {
    private CommandLine() {
    }

    public static List<String> split(String command) {
        List<String> words = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        boolean inWord = false;
        int i = 0;
        int n = command.length();
        while (i < n) {
            char c = command.charAt(i);
            if (c == '\'') {
                int end = command.indexOf('\'', i + 1);
                if (end < 0) {
                    throw new IllegalArgumentException("command " + quoted(command) + ": a ' is not closed");
                }
                word.append(command, i + 1, end);
                inWord = true;
                i = end + 1;
            } else if (c == '"') {
                i++;
                boolean closed = false;
                while (i < n) {
                    char d = command.charAt(i);
                    if (d == '"') {
                        closed = true;
                        i++;
                        break;
                    }
                    if (d == '\\' && i + 1 < n && (command.charAt(i + 1) == '"' || command.charAt(i + 1) == '\\')) {
                        d = command.charAt(++i);
                    }
                    word.append(d);
                    i++;
                }
                if (!closed) {
                    throw new IllegalArgumentException("command " + quoted(command) + ": a \" is not closed");
                }
                inWord = true;
            } else if (c == '\\') {
                if (i + 1 >= n) {
                    throw new IllegalArgumentException("command " + quoted(command) + " ends with a lone \\");
                }
                word.append(command.charAt(i + 1));
                inWord = true;
                i += 2;
            } else if (Character.isWhitespace(c)) {
                if (inWord) {
                    words.add(word.toString());
                    word.setLength(0);
                    inWord = false;
                }
                i++;
            } else {
                word.append(c);
                inWord = true;
                i++;
            }
        }
        if (inWord) {
            words.add(word.toString());
        }
        if (words.isEmpty()) {
            throw new IllegalArgumentException("command " + quoted(command) + " names no program");
        }
        return words;
    }

    private static String quoted(String s) {
        return "'" + org.cklbench.text.Printable.of(s) + "'";
    }
}
