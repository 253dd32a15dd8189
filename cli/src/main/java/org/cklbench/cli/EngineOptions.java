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

    @Option(names = "--threads", defaultValue = "0",
            description = "CPU threads for PyTorch (default: PyTorch's choice, one per core).")
    int threads;

    Device device() {
        PyTorchEngine.init(threads);
        return PyTorchEngine.device(device);
    }

    DataType computeType(Device d) {
        return PyTorchEngine.computeType(dtype, d);
    }
}
