package org.cklbench.core.train;

import org.cklbench.io.Folders;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A run's resume checkpoints, in numbered generations under one folder: a new checkpoint is written
 * into a temporary folder, renamed to {@code gen-N} (N one more than the newest), and only then are the
 * older generations deleted. Since the rename is atomic, every {@code gen-N} folder is whole, and a
 * process killed at any step leaves the previous generation, the new one, or both, never a broken one;
 * a resume reads the newest. A checkpoint whose files lie directly in the folder (the single-generation
 * layout) is generation 0.
 */
public final class CheckpointStore {
    /** The steps of writing a generation, in order; tests make one of them fail. */
    public enum Step { CLEAN, CREATE, WRITE, RENAME, DELETE_OLD }

    /** Called before each step; a test throws here to stand for a process killed there. */
    public interface Faults {
        Faults NONE = (step, detail) -> {
        };

        void before(Step step, String detail) throws IOException;
    }

    /** What a generation holds: files written one after the other, the last one marking it complete. */
    public interface Writer {
        void write(Path dir, Faults faults) throws IOException;
    }

    private static final Pattern GEN = Pattern.compile("gen-(\\d{6,})");
    static final String STATE = "state.json";

    private final Path dir;
    private final Faults faults;

    public CheckpointStore(Path dir) {
        this(dir, Faults.NONE);
    }

    public CheckpointStore(Path dir, Faults faults) {
        this.dir = dir;
        this.faults = faults;
    }

    /** The newest whole generation, if any. */
    public Optional<Path> latest() throws IOException {
        if (!Files.isDirectory(dir)) {
            return Optional.empty();
        }
        Optional<Path> newest = generations().stream().reduce((a, b) -> b);
        if (newest.isPresent()) {
            return newest;
        }
        return Files.isRegularFile(dir.resolve(STATE)) ? Optional.of(dir) : Optional.empty();
    }

    /** Writes a new generation with {@code writer}, then deletes the older ones. */
    public Path save(Writer writer) throws IOException {
        Files.createDirectories(dir);
        List<Path> old = generations();
        long next = old.isEmpty() ? 1 : number(old.get(old.size() - 1)) + 1;
        Path tmp = dir.resolve(".gen-" + next + ".tmp");
        faults.before(Step.CLEAN, tmp.toString());
        Folders.deleteTree(tmp);
        faults.before(Step.CREATE, tmp.toString());
        Files.createDirectories(tmp);
        writer.write(tmp, faults);
        Path gen = dir.resolve(String.format("gen-%06d", next));
        faults.before(Step.RENAME, gen.toString());
        Files.move(tmp, gen, StandardCopyOption.ATOMIC_MOVE);
        syncDirectory(dir);
        for (Path p : old) {
            faults.before(Step.DELETE_OLD, p.toString());
            Folders.deleteTree(p);
        }
        // files of a single-generation checkpoint, superseded by the generation just written
        try (var s = Files.list(dir)) {
            for (Path p : s.toList()) {
                String n = p.getFileName().toString();
                if (!GEN.matcher(n).matches() && !n.startsWith(".gen-")) {
                    faults.before(Step.DELETE_OLD, p.toString());
                    Folders.deleteTree(p);
                }
            }
        }
        return gen;
    }

    private List<Path> generations() throws IOException {
        try (var s = Files.list(dir)) {
            return s.filter(p -> GEN.matcher(p.getFileName().toString()).matches() && Files.isDirectory(p))
                    .sorted((a, b) -> Long.compare(number(a), number(b))).toList();
        }
    }

    private static long number(Path gen) {
        Matcher m = GEN.matcher(gen.getFileName().toString());
        if (!m.matches()) {
            throw new IllegalArgumentException(gen + " is not a checkpoint generation");
        }
        return Long.parseLong(m.group(1));
    }

    /** Makes the rename durable where the platform allows opening a folder for it (Linux does). */
    private static void syncDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // best effort: the rename itself is atomic either way
        }
    }
}
