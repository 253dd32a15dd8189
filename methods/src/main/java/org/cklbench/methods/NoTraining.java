package org.cklbench.methods;

import org.cklbench.core.method.CklMethod;
import org.cklbench.core.method.MethodParams;
import org.cklbench.core.method.MethodProvider;
import org.cklbench.core.method.ParamSpec;

import java.util.List;

/**
 * The no-training row: the base model itself, evaluated at every stage as every method is, so a
 * leaderboard shows what doing nothing scores (LAMA-ckl: Top Acc of the base, its Not-To-Forget
 * accuracy; TemporalWiki: the base's perplexities). Computed like any run, never typed in.
 */
public final class NoTraining implements MethodProvider {
    @Override
    public String id() {
        return "none";
    }

    @Override
    public String description() {
        return "no training: the base model evaluated at every stage, the row that shows which methods beat doing nothing";
    }

    @Override
    public List<ParamSpec> parameters() {
        return List.of();
    }

    @Override
    public CklMethod create(MethodParams params) {
        return new CklMethod() {
            @Override
            public boolean trains() {
                return false;
            }
        };
    }
}
