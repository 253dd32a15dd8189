package org.cklbench.cli;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import org.cklbench.engine.djl.PyTorchEngine;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/** Where and how the model computes; shared by every command that runs a model. */
final class EngineOptions {
    @Option(names = "--device", defaultValue = "cpu", converter = DeviceName.class,
            description = "cpu, gpu or gpu:N; PyTorch's cuda and cuda:N are the same (default: ${DEFAULT-VALUE}).")
    String device;

    @Option(names = "--dtype", converter = DtypeName.class,
            description = "Compute precision: float32 (CPU default) or float16 (GPU default).")
    String dtype;

    @CommandLine.Mixin
    ThreadsOption threads;

    /** What {@code --threads} said (recorded; results do not depend on it). */
    int threads() {
        return threads.threads;
    }

    Device device() {
        PyTorchEngine.initForResults();
        return PyTorchEngine.device(device);
    }

    DataType computeType(Device d) {
        return PyTorchEngine.computeType(dtype, d);
    }

    /** The device's canonical name (cuda:1 becomes gpu:1); an unknown one is a usage error. */
    static final class DeviceName implements CommandLine.ITypeConverter<String> {
        @Override
        public String convert(String value) {
            try {
                return PyTorchEngine.canonicalDevice(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }

    /** A dtype the engine knows, checked when the command line is read rather than when the model loads. */
    static final class DtypeName implements CommandLine.ITypeConverter<String> {
        @Override
        public String convert(String value) {
            try {
                PyTorchEngine.computeType(value, Device.cpu());
                return value;
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }
}
