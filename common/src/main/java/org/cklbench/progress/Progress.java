package org.cklbench.progress;

/** Long work reports here; the command line shows it as a bar with ETA, tests ignore it. */
public interface Progress {
    Progress NONE = (name, total, unit) -> new Task() {
        @Override
        public void step(long n) {
        }

        @Override
        public void close() {
        }
    };

    /** One piece of work with {@code total} units. */
    Task start(String name, long total, String unit);

    /** A line worth telling the user that is not a piece of work (e.g. waiting for another process). */
    default void note(String line) {
    }

    /** A started piece of work. */
    interface Task extends AutoCloseable {
        void step(long n);

        /** A short status (e.g. the current loss) shown beside the bar. */
        default void message(String text) {
        }

        @Override
        void close();
    }
}
