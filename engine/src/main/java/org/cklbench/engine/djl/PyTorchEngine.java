package org.cklbench.engine.djl;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.types.DataType;
import ai.djl.pytorch.jni.JniUtils;

import org.cklbench.io.ArithmeticPin;

import java.util.Locale;

/** Process-wide engine settings: offline native library, threads, device and compute precision. */
public final class PyTorchEngine {
    private static boolean interopSet;

    private PyTorchEngine() {
    }

    /**
     * For every computation whose numbers are a result (runs, pretraining, Train-Attention training):
     * the pinned thread count, and a refusal when libtorch would pick its kernels from this CPU because
     * the process was started without the pinned environment.
     */
    public static synchronized void initForResults() {
        if (!ArithmeticPin.inForce() && !ArithmeticPin.optedOut()) {
            throw new IllegalStateException("this process's arithmetic is not pinned (" + ArithmeticPin.describe()
                    + "): start it through ./ckl, or set " + ArithmeticPin.ENV + " before Java starts");
        }
        init(ArithmeticPin.THREADS);
    }

    /**
     * Runs {@code work} on {@code threads} intra-op threads, then goes back to {@link ArithmeticPin#THREADS}:
     * for a computation that runs alone (base pretraining), pinned to its own fixed count.
     */
    public static <T, E extends Exception> T withThreads(int threads, ThrowingSupplier<T, E> work) throws E {
        initForResults();
        JniUtils.setNumThreads(threads);
        try {
            return work.get();
        } finally {
            JniUtils.setNumThreads(ArithmeticPin.THREADS);
        }
    }

    /** A computation that may throw. */
    @FunctionalInterface
    public interface ThrowingSupplier<T, E extends Exception> {
        T get() throws E;
    }

    /** The arithmetic in force, for provenance: the pin and the thread counts. */
    public static String arithmetic() {
        Engine.getEngine("PyTorch");
        return ArithmeticPin.describe() + "; intra-op threads " + JniUtils.getNumThreads()
                + (interopSet ? ", inter-op threads 1" : "");
    }

    /**
     * Must run before the first array is created. DJL's offline mode makes it use the PyTorch native
     * library from the pinned Maven jar instead of downloading one.
     */
    public static synchronized void init(int threads) {
        if (System.getProperty("ai.djl.offline") == null) {
            System.setProperty("ai.djl.offline", "true");
        }
        Engine.getEngine("PyTorch");
        if (threads > 0) {
            JniUtils.setNumThreads(threads);
            if (!interopSet) {
                try {
                    JniUtils.setNumInteropThreads(1);
                } catch (RuntimeException ignored) {
                    // PyTorch accepts this once per process, before any parallel work; later calls are moot.
                }
                interopSet = true;
            }
        }
    }

    /**
     * The suite's name of a device: {@code cpu}, {@code gpu} or {@code gpu:N}; PyTorch's {@code cuda}
     * and {@code cuda:N} are the same devices (DJL's gpu and gpu(N)) and become those names, so that
     * either spelling gives the same run id.
     */
    public static String canonicalDevice(String name) {
        String n = name == null ? "cpu" : name.strip().toLowerCase(Locale.ROOT);
        java.util.regex.Matcher m = DEVICE.matcher(n);
        if (!m.matches()) {
            throw new IllegalArgumentException("unknown device '" + name + "' (cpu, gpu, gpu:N, cuda or cuda:N)");
        }
        return n.equals("cpu") ? "cpu" : "gpu" + (m.group(1) == null ? "" : ":" + Integer.parseInt(m.group(1)));
    }

    private static final java.util.regex.Pattern DEVICE = java.util.regex.Pattern.compile("cpu|(?:gpu|cuda)(?::(\\d{1,3}))?");

    /** {@code cpu} or {@code gpu} (or {@code gpu:N}); {@code cuda} and {@code cuda:N} too. */
    public static Device device(String name) {
        String n = canonicalDevice(name);
        if (n.equals("cpu")) {
            return Device.cpu();
        }
        if (n.startsWith("gpu")) {
            int count = Engine.getEngine("PyTorch").getGpuCount();
            if (count == 0) {
                throw new NoGpu(name);
            }
            int id = n.contains(":") ? Integer.parseInt(n.substring(n.indexOf(':') + 1)) : 0;
            return Device.gpu(id);
        }
        throw new IllegalStateException("unreachable: " + n);
    }

    /**
     * A GPU device was asked for where PyTorch sees none. Its message gives docs/usage.md's recipe ("Running
     * on a GPU") and the device as the user spelt it ({@link #message}: the command line knows that spelling,
     * this class only the canonical name).
     */
    public static final class NoGpu extends IllegalArgumentException {
        NoGpu(String device) {
            super(message(device));
        }

        public static String message(String device) {
            return "--device " + device + ": PyTorch sees no GPU. The build pins DJL's CPU native library; on a CUDA"
                    + " machine point DJL at a CUDA build of libtorch 2.7.1 (export PYTORCH_LIBRARY_PATH=the lib folder"
                    + " of a pip-installed torch==2.7.1) and run once online with CKL_JAVA_OPTS=-Dai.djl.offline=false"
                    + " so that DJL fetches the matching JNI glue (docs/usage.md, 'Running on a GPU').";
        }
    }

    /**
     * The precision the forward and backward passes run in. float32 everywhere by default;
     * float16 on a GPU halves memory (norms, softmax and losses still run in float32, trainable
     * tensors stay float32). bfloat16 is refused: DJL 0.36's PyTorch JNI has no bfloat16 mapping and
     * aborts the process on one.
     */
    public static DataType computeType(String name, Device device) {
        String n = name == null ? (device.isGpu() ? "float16" : "float32") : name.toLowerCase(Locale.ROOT);
        return switch (n) {
            case "float32", "fp32" -> DataType.FLOAT32;
            case "float16", "fp16", "half" -> DataType.FLOAT16;
            case "bfloat16", "bf16" -> throw new IllegalArgumentException("--dtype bfloat16 is not available: DJL 0.36's"
                    + " PyTorch JNI cannot hold bfloat16 tensors. Use float16 (GPU) or float32; bf16 checkpoints load"
                    + " fine and are widened exactly.");
            default -> throw new IllegalArgumentException("unknown --dtype '" + name + "' (float32, float16)");
        };
    }

    public static String describe() {
        Engine e = Engine.getEngine("PyTorch");
        return "DJL " + Engine.getDjlVersion() + ", PyTorch " + e.getVersion() + ", threads "
                + JniUtils.getNumThreads();
    }
}
