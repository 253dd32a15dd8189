package org.cklbench.core.external;

import org.cklbench.core.method.CklMethod;
import org.cklbench.core.method.MethodParams;
import org.cklbench.core.run.StageTraining;
import org.cklbench.core.state.TrainingState;
import org.cklbench.io.Hashing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One run's external method: a command run at each stage ({@link ExternalStages}), or adapters trained
 * elsewhere scored stage by stage ({@link ForeignAdapters}). It registers no parameters of its own, so
 * the trainer draws the default LoRA from the run's seed: the adapter stage 1 starts from.
 */
public final class ExternalMethod implements CklMethod, StageTraining.Source {
    /** What runs, where, and what the run's provenance records of it. */
    record Spec(String id, List<String> command, Path workingDir, Path declarationFolder, List<String> files,
                boolean privileged, int timeoutSeconds, Map<String, Object> params, Path adapters, String pattern) {
    }

    private final Spec spec;

    private ExternalMethod(Spec spec) {
        this.spec = spec;
    }

    static ExternalMethod command(List<String> command, MethodParams params) {
        return new ExternalMethod(new Spec(ExternalMethods.ID, command, Path.of("").toAbsolutePath(), null, List.of(),
                false, params.getInt("timeout"), methodParams(params), null, null));
    }

    static ExternalMethod declared(ExternalDeclaration d, MethodParams params) {
        return new ExternalMethod(new Spec(d.id(), d.command(), d.folder(), d.folder(), d.files(), d.privileged(),
                params.getInt("timeout"), methodParams(params), null, null));
    }

    static ExternalMethod adapters(Path dir, String pattern, MethodParams params) {
        return new ExternalMethod(new Spec(ExternalMethods.ID, null, null, null, List.of(), false,
                params.getInt("timeout"), methodParams(params), dir.toAbsolutePath().normalize(), pattern));
    }

    private static Map<String, Object> methodParams(MethodParams params) {
        Map<String, Object> out = new TreeMap<>(params.asMap());
        out.keySet().removeAll(ExternalMethods.RESERVED);
        return out;
    }

    Spec spec() {
        return spec;
    }

    @Override
    public StageTraining stageTraining(StageTraining.Setup setup) throws IOException {
        if (setup.trainer().defaultLora() == null) {
            throw new IllegalArgumentException("an external method returns a LoRA adapter: it cannot run with full=true");
        }
        return spec.adapters() != null ? new ForeignAdapters(spec, setup) : new ExternalStages(spec, setup);
    }

    @Override
    public String notReproducible() {
        return spec.adapters() == null ? null : "adapters trained outside the suite (--param adapters) and only"
                + " scored by it: there is no command to train them again";
    }

    @Override
    public void beforeStage(TrainingState state, int stage) {
        // only the suite's own Trainer calls this, which never trains an external method's stages
        throw new IllegalStateException("method '" + spec.id() + "' trains outside the suite and cannot be combined"
                + " with other methods ('+')");
    }

    /** The provenance run.json records (and {@code ckl verify} compares): command, SHA-256 of the files, interpreter. */
    @Override
    public Map<String, Object> describe(TrainingState state) {
        Map<String, Object> out = new LinkedHashMap<>();
        if (spec.adapters() != null) {
            out.put("adapters", "scored as given (their SHA-256 are in provenance.inputs); trained outside the suite");
            out.put("adapter_pattern", spec.pattern());
            return out;
        }
        out.put("command", spec.command());
        if (spec.declarationFolder() != null) {
            Map<String, String> sha = new TreeMap<>();
            for (String f : spec.files()) {
                try {
                    sha.put(f, Hashing.sha256(ExternalDeclaration.listedFile(spec.declarationFolder(), f,
                            org.cklbench.text.Printable.of(spec.declarationFolder().toString()))));
                } catch (IOException e) {
                    throw new UncheckedIOException("external method " + spec.id() + ": cannot read its file " + f + ": "
                            + e.getMessage(), e);
                }
            }
            out.put("files_sha256", sha);
        }
        out.put("interpreter", ExternalProcess.version(spec.command().get(0), spec.workingDir()));
        out.put("privileged", spec.privileged());
        out.put("protocol", StageRequests.PROTOCOL);
        return out;
    }
}
