package org.cklbench.cli;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import org.cklbench.engine.djl.PyTorchEngine;
import picocli.CommandLine.Option;

/** Where and how the model computes; shared by every command that runs a model. */
final class EngineOptions {
    @Option(names = "--device", defaultValue = "cpu", description = "cpu, gpu or gpu:N (default: ${DEFAULT-VALUE}).")
    String device;

    @Option(names = "--dtype", description = "Compute precision: float32 (CPU default) or float16 (GPU default).")
    String dtype;

    /** Kept so that older command lines still parse; results no longer depend on it. */
    @Option(names = "--threads", defaultValue = "0", description = "Ignored: every result is computed on the suite's pinned thread count (docs/reproducibility.md).")
    int threads;

    Device device() {
        PyTorchEngine.initForResults();
        return PyTorchEngine.device(device);
    }

    DataType computeType(Device d) {
        return PyTorchEngine.computeType(dtype, d);
    }
}
