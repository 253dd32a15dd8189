package org.cklbench.cli;

import me.tongfei.progressbar.DelegatingProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

import java.util.function.Consumer;

/**
 * Progress with an ETA on standard error, so standard output stays clean for results. On a terminal
 * the bar is redrawn twice a second; where standard error is not one (a log file, a Slurm output, a
 * pipe) redrawing would leave carriage-return frames, so the bar is a plain line once a minute and
 * at the end. {@code ./ckl} tells which ({@code CKL_PROGRESS=bar|lines}, set by the caller wins).
 */
final class Bars {
    static final long LINE_INTERVAL_MS = 60_000;
    private static final boolean LINES = lines(System.getenv("CKL_PROGRESS"), System.console() != null);

    private Bars() {
    }

    /** Plain lines unless asked for a bar, or, when nobody asked, unless attached to a terminal. */
    static boolean lines(String setting, boolean terminal) {
        return setting == null || setting.isBlank() ? !terminal : setting.equals("lines");
    }

    static ProgressBar bar(String task, long total, String unit) {
        return LINES ? bar(task, total, unit, LINE_INTERVAL_MS, System.err::println) : bar(task, total, unit, 500, null);
    }

    /** With {@code lineSink} each update is one line given to it, at most every {@code intervalMs}; else a redrawn bar. */
    static ProgressBar bar(String task, long total, String unit, long intervalMs, Consumer<String> lineSink) {
        ProgressBarBuilder b = new ProgressBarBuilder()
                .setTaskName(task)
                .setInitialMax(total)
                .setUnit(" " + unit, 1)
                .showSpeed()
                .setStyle(ProgressBarStyle.ASCII)
                .setUpdateIntervalMillis((int) intervalMs)
                .continuousUpdate();
        if (lineSink != null) {
            // the bar repeats its last frame when it closes; a log needs it once
            String[] last = {null};
            b.setConsumer(new DelegatingProgressBarConsumer(line -> {
                if (!line.equals(last[0])) {
                    last[0] = line;
                    lineSink.accept(line);
                }
            }, 120));
        }
        return b.build();
    }
}
