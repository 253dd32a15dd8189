package org.cklbench.engine.safetensors;

import ai.djl.ndarray.types.DataType;

/** The safetensors dtype names this suite reads and writes, with their DJL counterparts. */
public enum TensorDType {
    F64(8, DataType.FLOAT64),
    F32(4, DataType.FLOAT32),
    F16(2, DataType.FLOAT16),
    BF16(2, DataType.BFLOAT16),
    I64(8, DataType.INT64),
    I32(4, DataType.INT32),
    I16(2, DataType.INT16),
    I8(1, DataType.INT8),
    U8(1, DataType.UINT8),
    BOOL(1, DataType.BOOLEAN);

    public final int size;
    public final DataType djl;

    TensorDType(int size, DataType djl) {
        this.size = size;
        this.djl = djl;
    }

    /** Parses a header dtype; {@code null} when the name is not one of ours. */
    public static TensorDType fromHeader(String name) {
        for (TensorDType t : values()) {
            if (t.name().equals(name)) {
                return t;
            }
        }
        return null;
    }

    public static TensorDType of(DataType type) {
        for (TensorDType t : values()) {
            if (t.djl == type) {
                return t;
            }
        }
        throw new IllegalArgumentException("no safetensors dtype for " + type);
    }

    /** The {@code torch_dtype} string of {@code config.json}. */
    public String torchName() {
        return switch (this) {
            case F64 -> "float64";
            case F32 -> "float32";
            case F16 -> "float16";
            case BF16 -> "bfloat16";
            default -> name().toLowerCase(java.util.Locale.ROOT);
        };
    }

    public static TensorDType fromTorchName(String name) {
        return switch (name) {
            case "float32", "float" -> F32;
            case "float16", "half" -> F16;
            case "bfloat16" -> BF16;
            case "float64", "double" -> F64;
            default -> throw new IllegalArgumentException("unknown torch_dtype '" + name
                    + "' (expected float32, float16 or bfloat16)");
        };
    }
}
