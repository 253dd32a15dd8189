package org.cklbench.core.external;

import org.cklbench.core.benchmark.Protocol;
import org.cklbench.core.run.StageTraining;
import org.cklbench.text.Printable;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Scores adapters trained elsewhere: stage k takes the adapter in {@code adapters/<pattern with k>}
 * (default {@code stage-001}, ...), checked as an external method's would be ({@link AdapterCheck}).
 */
final class ForeignAdapters implements StageTraining {
    private final ExternalMethod.Spec spec;
    private final Setup setup;

    ForeignAdapters(ExternalMethod.Spec spec, Setup setup) {
        this.spec = spec;
        this.setup = setup;
    }

    static String folderName(String pattern, int stage) {
        return pattern.replace("{kkk}", String.format(java.util.Locale.ROOT, "%03d", stage))
                .replace("{k}", Integer.toString(stage));
    }

    @Override
    public Double train(int stage, Protocol.Stage st) throws IOException {
        String name = folderName(spec.pattern(), stage);
        Path dir = spec.adapters().resolve(name).normalize();
        if (!dir.startsWith(spec.adapters())) {
            throw ExternalStages.failure(stage, st, "adapter_pattern gives " + Printable.of(name)
                    + ", which is outside the adapters folder");
        }
        try {
            AdapterCheck.accept(dir, setup.state());
        } catch (IOException e) {
            throw ExternalStages.failure(stage, st, "the adapter " + Printable.of(dir.toString()) + " is refused: "
                    + e.getMessage());
        }
        return null;
    }
}
