package org.cklbench.core.run;

import java.util.concurrent.TimeUnit;

/**
 * Lets a run stop cleanly when its process is asked to end: SIGTERM from Slurm (scancel, preemption,
 * the time limit) or Ctrl-C. A shutdown hook raises a flag; the training loop sees it at the next
 * optimiser step, saves a checkpoint of exactly that step and acknowledges; only then does the JVM
 * halt. The hook waits at most {@code ckl.preemption.grace} seconds (default 20, under Slurm's
 * default KillWait of 30), so a step that cannot finish in time costs only the work since the last
 * checkpoint. A process with no run in progress exits at once.
 */
public final class Preemption {
    private static final long GRACE_NANOS = TimeUnit.SECONDS.toNanos(Long.getLong("ckl.preemption.grace", 20));
    private static final Object LOCK = new Object();
    private static volatile boolean requested;
    private static int active;
    private static boolean acknowledged;
    private static boolean installed;

    private Preemption() {
    }

    private static final String SAVED = "after saving a checkpoint";
    /** What the stopped run kept, for the message the shutdown hook prints. */
    private static volatile String kept = SAVED;

    /** Thrown out of the training loop once the checkpoint is on disk. */
    public static final class Stopped extends RuntimeException {
        Stopped(String kept) {
            super("stopped on request (SIGTERM or Ctrl-C) " + kept + "; continue with --resume");
        }
    }

    /** A run in progress. */
    public interface Scope extends AutoCloseable {
        @Override
        void close();
    }

    /** Marks a run in progress until the returned scope closes; the hook waits only for those. */
    static Scope enter() {
        synchronized (LOCK) {
            if (!installed) {
                java.lang.Runtime.getRuntime().addShutdownHook(new Thread(Preemption::onShutdown, "ckl-preemption"));
                installed = true;
            }
            active++;
        }
        return () -> {
            synchronized (LOCK) {
                active--;
                LOCK.notifyAll();
            }
        };
    }

    /** Whether the process has been asked to end; the training loop polls this between steps. */
    public static boolean requested() {
        return requested;
    }

    /**
     * Called by the training loop right after its checkpoint is written: releases the shutdown hook
     * and returns the exception to throw.
     */
    public static Stopped checkpointed() {
        return stopped(SAVED);
    }

    /**
     * As {@link #checkpointed()} for a run that could not checkpoint where it stood; {@code kept} says what
     * a resume starts from (e.g. "with stage 3's external process killed: a resume trains stage 3 again").
     */
    public static Stopped stopped(String kept) {
        synchronized (LOCK) {
            Preemption.kept = kept;
            acknowledged = true;
            LOCK.notifyAll();
        }
        return new Stopped(kept);
    }

    private static void onShutdown() {
        requested = true;
        long deadline = System.nanoTime() + GRACE_NANOS;
        synchronized (LOCK) {
            long left;
            while (active > 0 && !acknowledged && (left = deadline - System.nanoTime()) > 0) {
                try {
                    TimeUnit.NANOSECONDS.timedWait(LOCK, left);
                } catch (InterruptedException e) {
                    return;
                }
            }
            if (acknowledged) {
                // the JVM halts when this hook returns, before the interrupted thread can report
                System.err.println("ckl: " + new Stopped(kept).getMessage());
                System.err.flush();
            }
        }
    }
}
