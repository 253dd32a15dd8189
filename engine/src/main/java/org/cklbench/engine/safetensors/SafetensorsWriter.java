package org.cklbench.engine.safetensors;

import org.cklbench.io.AtomicFiles;

import ai.djl.ndarray.NDArray;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/**
 * Writes tensors as one safetensors file, atomically. Tensors are laid out in name order and the
 * header carries {@code "format": "pt"}, which {@code transformers} requires to load the file.
 */
public final class SafetensorsWriter {
    private static final ObjectMapper JSON = new ObjectMapper();

    private SafetensorsWriter() {
    }

    /** Writes every array in its own dtype. */
    public static void write(Path file, Map<String, NDArray> tensors, Map<String, String> metadata)
            throws IOException {
        write(file, tensors, metadata, null);
    }

    /**
     * Writes the arrays; floating-point ones are stored as {@code floatsAs} when it is not null
     * (F32, F16 or BF16; BF16 is rounded to nearest-even here, since DJL cannot hold bf16).
     */
    public static void write(Path file, Map<String, NDArray> tensors, Map<String, String> metadata,
                             TensorDType floatsAs) throws IOException {
        Map<String, NDArray> sorted = new TreeMap<>(tensors);
        ObjectNode header = JSON.createObjectNode();
        ObjectNode meta = header.putObject("__metadata__");
        meta.put("format", "pt");
        if (metadata != null) {
            new TreeMap<>(metadata).forEach(meta::put);
        }
        long offset = 0;
        for (Map.Entry<String, NDArray> e : sorted.entrySet()) {
            NDArray a = e.getValue();
            TensorDType dt = storedType(a, floatsAs);
            long bytes = a.size() * dt.size;
            ObjectNode n = header.putObject(e.getKey());
            n.put("dtype", dt.name());
            var shape = n.putArray("shape");
            for (long d : a.getShape().getShape()) {
                shape.add(d);
            }
            n.putArray("data_offsets").add(offset).add(offset + bytes);
            offset += bytes;
        }
        byte[] h = JSON.writeValueAsBytes(header);
        int padded = (h.length + 7) / 8 * 8;
        byte[] headerBytes = new byte[padded];
        System.arraycopy(h, 0, headerBytes, 0, h.length);
        for (int i = h.length; i < padded; i++) {
            headerBytes[i] = ' ';
        }
        AtomicFiles.write(file, out -> {
            ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(padded);
            out.write(len.array());
            out.write(headerBytes);
            WritableByteChannel ch = Channels.newChannel(out);
            for (NDArray a : sorted.values()) {
                ByteBuffer data = encode(a, storedType(a, floatsAs));
                while (data.hasRemaining()) {
                    ch.write(data);
                }
            }
        });
    }


    private static TensorDType storedType(NDArray a, TensorDType floatsAs) {
        return floatsAs != null && a.getDataType().isFloating() ? floatsAs : TensorDType.of(a.getDataType());
    }

    private static ByteBuffer encode(NDArray a, TensorDType as) {
        if (as == TensorDType.BF16) {
            return Bf16.narrow(a.toType(ai.djl.ndarray.types.DataType.FLOAT32, false).toFloatArray());
        }
        NDArray converted = a.getDataType() == as.djl ? a : a.toType(as.djl, false);
        ByteBuffer b = converted.toByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
        if (converted != a) {
            converted.close();
        }
        return b;
    }
}
