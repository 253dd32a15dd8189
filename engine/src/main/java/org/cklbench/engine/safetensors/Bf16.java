package org.cklbench.engine.safetensors;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** bfloat16 ↔ float32 on the host, for storage only (DJL has no bf16 arrays on PyTorch). */
public final class Bf16 {
    private Bf16() {
    }

    /** Little-endian bf16 bytes to a direct little-endian float32 buffer, exactly. */
    public static ByteBuffer widen(ByteBuffer bf16) {
        ByteBuffer in = bf16.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        int n = in.remaining() / 2;
        ByteBuffer out = ByteBuffer.allocateDirect(n * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < n; i++) {
            out.putInt((in.getShort() & 0xffff) << 16);
        }
        return out.flip();
    }

    /** float32 to little-endian bf16 bytes, rounding to nearest even (as torch does); NaN stays NaN. */
    public static ByteBuffer narrow(float[] values) {
        ByteBuffer out = ByteBuffer.allocate(values.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            out.putShort(toBits(v));
        }
        return out.flip();
    }

    public static short toBits(float v) {
        int bits = Float.floatToRawIntBits(v);
        if (Float.isNaN(v)) {
            return (short) ((bits >>> 16) | 0x40);
        }
        int rounding = 0x7fff + ((bits >>> 16) & 1);
        return (short) ((bits + rounding) >>> 16);
    }
}
