package org.cklbench.cli;

import me.tongfei.progressbar.ProgressBar;
import org.cklbench.progress.Progress;

/** {@link Progress} as progress bars with ETA on standard error. */
final class BarProgress implements Progress {
    @Override
    public Task start(String name, long total, String unit) {
        ProgressBar bar = Bars.bar(name, total, unit);
        return new Task() {
            @Override
            public void step(long n) {
                bar.stepBy(n);
            }

            @Override
            public void message(String text) {
                bar.setExtraMessage(" " + text);
            }

            @Override
            public void close() {
                bar.close();
            }
        };
    }

    @Override
    public void note(String line) {
        System.err.println("ckl: " + line);
    }
}
