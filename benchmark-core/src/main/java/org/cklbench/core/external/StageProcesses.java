package org.cklbench.core.external;

import org.cklbench.text.Printable;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Every process one stage of an external method started, wherever it went, and their killing when the
 * stage ends (Linux only, as the suite). A child that forks twice is re-parented to init and leaves the
 * tree {@link ProcessHandle#descendants()} sees, and one that calls {@code setsid} leaves the process group,
 * so a process counts as the stage's when any of these holds:
 * <ul>
 *   <li>its environment carries {@value #TOKEN_VARIABLE} with this stage's random token (inherited by every
 *   descendant, double-forked and setsid'd ones included, unless it clears or rewrites its environment);</li>
 *   <li>it is in the session the command was started in: util-linux {@code setsid} starts the command as a
 *   session leader, and a process leaves a session only by starting one of its own;</li>
 *   <li>it is a descendant of the command still in its tree.</li>
 * </ul>
 * What escapes all three (a process that clears its environment and starts a session and leaves the
 * tree, or one started for the method by another service) is the hole docs/external-methods.md names.
 */
final class StageProcesses {
    static final String TOKEN_VARIABLE = "CKL_STAGE_TOKEN";
    /** How long the processes get to die once killed; a SIGKILL is delivered, not waited for. */
    static final long KILL_WAIT_MS = 10_000;
    private static final Path PROC = Path.of("/proc");
    private static final SecureRandom RANDOM = new SecureRandom();
    private static boolean setsidLooked;
    private static Path setsidFound;

    private final String token;
    private final Path setsid;
    private Process process;
    private long session = -1;

    /** A new stage's token; {@code setsid} is util-linux's program, or null to start the command without it. */
    StageProcesses(Path setsid) {
        this(setsid, newToken());
    }

    private StageProcesses(Path setsid, String token) {
        this.token = token;
        this.setsid = setsid;
    }

    private static String newToken() {
        byte[] b = new byte[16];
        RANDOM.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    /** The token, kept in the stage's folder so that a later suite can find what a killed one left running. */
    String token() {
        return token;
    }

    /**
     * Kills the processes still carrying {@code token}: those a stage started under a suite that was itself
     * killed (SIGKILL, the OOM killer), which nothing stopped. Their session cannot be told any more.
     */
    static Killed killLeftBy(String token) {
        if (!token.matches("[0-9a-f]{32}")) {
            return new Killed(List.of(), List.of()); // not one this class wrote: nothing is known by it
        }
        return new StageProcesses(null, token).killAll();
    }

    /**
     * This machine's host name (the kernel's, of the suite's UTS namespace), recorded beside the token:
     * the processes of a stage can be looked for only on the host that ran it.
     */
    static String host() {
        try {
            String h = Files.readString(PROC.resolve("sys/kernel/hostname"), StandardCharsets.UTF_8).strip();
            if (!h.isEmpty()) {
                return h;
            }
        } catch (IOException | RuntimeException e) {
            // not Linux's /proc: asked of the JDK below
        }
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "unknown";
        }
    }

    /**
     * util-linux's {@code setsid} where installed (Debian's util-linux is essential), else null: another
     * {@code setsid} (BusyBox's) may lack {@code --wait}, so its {@code --version} must name util-linux.
     */
    static synchronized Path installedSetsid() {
        if (setsidLooked) {
            return setsidFound;
        }
        setsidLooked = true;
        for (String p : List.of("/usr/bin/setsid", "/bin/setsid")) {
            if (Files.isExecutable(Path.of(p)) && ExternalProcess.version(p, Path.of("/")).contains("util-linux")) {
                setsidFound = Path.of(p);
                break;
            }
        }
        return setsidFound;
    }

    /** {@code command}, started through {@code setsid} when there is one. */
    List<String> command(List<String> command) {
        if (setsid == null) {
            return command;
        }
        List<String> out = new ArrayList<>(List.of(setsid.toString(), "--wait", "--"));
        out.addAll(command);
        return out;
    }

    /** What the command's environment must carry. */
    Map<String, String> environment() {
        return Map.of(TOKEN_VARIABLE, token);
    }

    /**
     * The command was started as {@code p}. Under {@code setsid} its pid names its session (setsid does
     * not fork: a process the JVM starts leads no process group); a session id is never the JVM's.
     */
    void started(Process p) {
        this.process = p;
        this.session = setsid == null ? -1 : p.pid();
    }

    /** What {@link #killAll()} found: each process as "pid N (command line)", and those still alive after the wait. */
    record Killed(List<String> found, List<String> survivors) {
    }

    /**
     * Kills the command and every process of the stage, again and again until a look finds none alive
     * (a process forking while it is killed leaves children that the next look finds), then waits until
     * each is gone. The command itself is not among {@code found}.
     */
    Killed killAll() {
        // keyed by handle, whose equality includes the start time: a pid reused meanwhile is another key
        Map<ProcessHandle, String> found = new LinkedHashMap<>();
        long self = ProcessHandle.current().pid();
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(KILL_WAIT_MS);
        // an interrupt would end every sleep at once and turn the loop into a 10 s busy spin: kept for the end
        boolean interrupted = Thread.interrupted();
        if (process != null) {
            process.destroyForcibly();
        }
        try {
            while (true) {
                List<ProcessHandle> alive = stageProcesses(self);
                // once the command is reaped its pid may be reused, and descendants() (by ppid) would name the
                // new owner's children; its orphans are re-parented and found by token or session instead
                if (process != null && process.isAlive()) {
                    for (ProcessHandle h : process.descendants().toList()) {
                        if (!alive.contains(h) && isAlive(h.pid()) && h.isAlive()) {
                            alive.add(h);
                        }
                    }
                }
                // the command by its Process: the JVM knows when it reaped it, after which its pid may be reused
                if (alive.isEmpty() && (process == null || !process.isAlive())) {
                    break;
                }
                for (ProcessHandle h : alive) {
                    found.putIfAbsent(h, describe(h));
                    h.destroyForcibly(); // the JDK checks the handle's start time before it signals the pid
                }
                if (System.nanoTime() > deadline) {
                    List<String> survivors = new ArrayList<>();
                    for (ProcessHandle h : alive) {
                        survivors.add(found.get(h));
                    }
                    return new Killed(List.copyOf(found.values()), survivors);
                }
                interrupted |= sleep(10);
            }
            if (process != null) {
                try {
                    process.waitFor(KILL_WAIT_MS, TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            return new Killed(List.copyOf(found.values()), List.of());
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * The live processes, other than {@code self}, in the stage's session or carrying its token. Each is
     * taken as a handle (which records its start time) before its {@code /proc} files are read, and kept
     * only when that handle is still alive after: a pid that ended and was reused between the reads names
     * another process, which the handle then does not match.
     */
    private List<ProcessHandle> stageProcesses(long self) {
        List<ProcessHandle> out = new ArrayList<>();
        byte[] entry = (TOKEN_VARIABLE + "=" + token).getBytes(StandardCharsets.UTF_8);
        try (Stream<Path> s = Files.list(PROC)) {
            for (Path p : s.toList()) {
                String name = p.getFileName().toString();
                if (name.isEmpty() || !name.chars().allMatch(Character::isDigit)) {
                    continue;
                }
                long pid = Long.parseLong(name);
                if (pid == self || (process != null && pid == process.pid() && process.isAlive())) {
                    // the command itself is killed through its Process, whose exit status the JVM reaps; once
                    // reaped, its pid may be another process's, one of the stage's among them
                    continue;
                }
                ProcessHandle h = ProcessHandle.of(pid).orElse(null);
                if (h == null) {
                    continue;
                }
                String[] stat = stat(pid);
                if (stat == null || !alive(stat)) {
                    continue;
                }
                if (((session > 0 && Long.parseLong(stat[3]) == session) || carries(p.resolve("environ"), entry))
                        && h.isAlive()) {
                    out.add(h);
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot list " + PROC + " to find the external method's processes: "
                    + Printable.of(e.getMessage()), e);
        }
        return out;
    }

    /** Whether the NUL-separated environment in {@code environ} holds exactly {@code entry} (unreadable: no). */
    private static boolean carries(Path environ, byte[] entry) {
        byte[] env;
        try {
            env = Files.readAllBytes(environ);
        } catch (IOException | SecurityException e) {
            return false; // another user's process, or one that has just ended
        }
        int start = 0;
        for (int i = 0; i <= env.length; i++) {
            if (i == env.length || env[i] == 0) {
                if (Arrays.equals(env, start, i, entry, 0, entry.length)) {
                    return true;
                }
                start = i + 1;
            }
        }
        return false;
    }

    /**
     * The fields of {@code /proc/pid/stat} after the command name (state, ppid, pgrp, session, ...), or
     * null when the process is gone. The name is in parentheses and may hold anything, spaces and ")" too.
     */
    private static String[] stat(long pid) {
        try {
            String s = Files.readString(PROC.resolve(Long.toString(pid)).resolve("stat"), StandardCharsets.ISO_8859_1);
            return s.substring(s.lastIndexOf(')') + 2).split(" ");
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** A zombie (Z) or a dead process (X) can run nothing any more: only its parent's wait is left. */
    private static boolean alive(String[] stat) {
        return !stat[0].startsWith("Z") && !stat[0].startsWith("X");
    }

    static boolean isAlive(long pid) {
        String[] stat = stat(pid);
        return stat != null && alive(stat);
    }

    /** "pid N (its command line)", for a message; the command line only while the handle's process owns the pid. */
    private static String describe(ProcessHandle h) {
        long pid = h.pid();
        String cmd;
        try {
            byte[] b = Files.readAllBytes(PROC.resolve(Long.toString(pid)).resolve("cmdline"));
            cmd = new String(b, StandardCharsets.UTF_8).replace('\0', ' ').strip();
        } catch (IOException e) {
            cmd = "";
        }
        if (!h.isAlive()) {
            cmd = ""; // read from whatever owns the pid now
        }
        if (cmd.length() > 120) {
            cmd = cmd.substring(0, 120) + "...";
        }
        return "pid " + pid + (cmd.isEmpty() ? "" : " (" + Printable.of(cmd) + ")");
    }

    /** Sleeps {@code ms}; true when interrupted (the flag is left cleared: the caller restores it). */
    private static boolean sleep(long ms) {
        try {
            Thread.sleep(ms);
            return false;
        } catch (InterruptedException e) {
            return true;
        }
    }
}
