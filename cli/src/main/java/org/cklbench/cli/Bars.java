package org.cklbench.cli;

import me.tongfei.progressbar.DelegatingProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Progress with an ETA on standard error, so standard output stays clean for results. With
 * {@code CKL_PROGRESS=lines} (set for sweep tasks, whose output goes to log files) the bar is
 * printed as a plain line once a minute instead of being redrawn twice a second.
 */
final class Bars {
    private static final boolean LINES = "lines".equals(System.getenv("CKL_PROGRESS"));

    private Bars() {
    }

    static ProgressBar bar(String task, long total, String unit) {
        ProgressBarBuilder b = new ProgressBarBuilder()
                .setTaskName(task)
                .setInitialMax(total)
                .setUnit(" " + unit, 1)
                .showSpeed()
                .setStyle(ProgressBarStyle.ASCII)
                .setUpdateIntervalMillis(LINES ? 60_000 : 500)
                .continuousUpdate();
        if (LINES) {
            b.setConsumer(new DelegatingProgressBarConsumer(System.err::println, 120));
        }
        return b.build();
    }
}
