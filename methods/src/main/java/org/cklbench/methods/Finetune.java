package org.cklbench.methods;

import org.cklbench.core.method.CklMethod;
import org.cklbench.core.method.ParamSpec;
import org.cklbench.core.method.MethodParams;
import org.cklbench.core.method.MethodProvider;

import java.util.List;

/**
 * The baseline: the plain causal-LM loss on every token. It needs no hook at all: the runtime trains
 * the run's default parameters (a LoRA adapter, or every weight with {@code --full}) on the mean
 * token loss.
 */
public final class Finetune implements MethodProvider {
    @Override
    public String id() {
        return "finetune";
    }

    @Override
    public String description() {
        return "plain causal-LM loss on every token; LoRA by default (r/alpha/dropout from the preset), all weights with --full";
    }

    @Override
    public List<ParamSpec> parameters() {
        return List.of();
    }

    @Override
    public CklMethod create(MethodParams params) {
        return new CklMethod() {
        };
    }
}
