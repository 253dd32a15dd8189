package org.cklbench.engine.optim;

import java.util.Locale;

/** Learning rate as a function of the optimiser step: linear warm-up, then constant, linear or cosine decay to 0. */
public record LrSchedule(String kind, double peak, long warmupSteps, long totalSteps) {

    public LrSchedule {
        kind = kind.toLowerCase(Locale.ROOT);
        if (!kind.equals("constant") && !kind.equals("linear") && !kind.equals("cosine")) {
            throw new IllegalArgumentException("unknown lr schedule '" + kind + "' (constant, linear, cosine)");
        }
    }

    /** The rate for step {@code step} (0-based). */
    public double at(long step) {
        if (warmupSteps > 0 && step < warmupSteps) {
            return peak * (step + 1) / warmupSteps;
        }
        if (kind.equals("constant") || totalSteps <= warmupSteps) {
            return peak;
        }
        double progress = Math.min(1.0, (double) (step - warmupSteps) / (totalSteps - warmupSteps));
        return kind.equals("linear") ? peak * (1 - progress) : peak * 0.5 * (1 + StrictMath.cos(Math.PI * progress));
    }
}
