package org.cklbench.engine.safetensors;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A safetensors file opened for reading. The header is validated completely before any tensor is
 * read: the header length, every dtype, every shape against its byte range, ranges inside the data
 * section and not overlapping one another. Tensors are then read by memory-mapping their range.
 */
public final class SafetensorsFile {

    /** One entry of the header. {@code begin}/{@code end} are offsets into the data section. */
    public record Entry(String name, TensorDType dtype, long[] shape, long begin, long end) {
        public long numel() {
            long n = 1;
            for (long d : shape) {
                n *= d;
            }
            return n;
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    /** The reference implementation refuses headers above 100 MB; so do we. */
    private static final long MAX_HEADER = 100L << 20;

    private final Path file;
    private final long dataStart;
    private final Map<String, Entry> entries;
    private final Map<String, String> metadata;

    private SafetensorsFile(Path file, long dataStart, Map<String, Entry> entries, Map<String, String> metadata) {
        this.file = file;
        this.dataStart = dataStart;
        this.entries = entries;
        this.metadata = metadata;
    }

    public static SafetensorsFile open(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < 8) {
                throw new SafetensorsFormatException(file, null,
                        "truncated: " + size + " bytes, too short for the 8-byte header length");
            }
            ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, lenBuf, 0);
            long headerLen = lenBuf.flip().getLong();
            if (headerLen <= 0 || headerLen > MAX_HEADER) {
                throw new SafetensorsFormatException(file, null, "header length " + headerLen
                        + " is not plausible (the file is not safetensors, or is corrupt)");
            }
            if (8 + headerLen > size) {
                throw new SafetensorsFormatException(file, null, "truncated: header says " + headerLen
                        + " header bytes but the file has only " + (size - 8) + " after the length");
            }
            ByteBuffer header = ByteBuffer.allocate((int) headerLen);
            readFully(ch, header, 8);
            JsonNode root;
            try {
                root = JSON.readTree(header.array());
            } catch (JsonProcessingException e) {
                throw new SafetensorsFormatException(file, null, "header is not valid JSON: "
                        + e.getOriginalMessage());
            }
            if (root == null || !root.isObject()) {
                throw new SafetensorsFormatException(file, null, "header is not a JSON object");
            }
            long dataLen = size - 8 - headerLen;
            Map<String, String> metadata = new LinkedHashMap<>();
            Map<String, Entry> entries = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> f = it.next();
                if (f.getKey().equals("__metadata__")) {
                    f.getValue().fields().forEachRemaining(m -> metadata.put(m.getKey(), m.getValue().asText()));
                    continue;
                }
                entries.put(f.getKey(), parseEntry(file, f.getKey(), f.getValue(), dataLen));
            }
            checkOverlaps(file, entries);
            return new SafetensorsFile(file, 8 + headerLen, Collections.unmodifiableMap(entries), metadata);
        }
    }

    private static Entry parseEntry(Path file, String name, JsonNode n, long dataLen)
            throws SafetensorsFormatException {
        String dt = n.path("dtype").asText(null);
        TensorDType dtype = TensorDType.fromHeader(dt);
        if (dtype == null) {
            throw new SafetensorsFormatException(file, name, "unknown dtype '" + dt
                    + "' (supported: F64, F32, F16, BF16, I64, I32, I16, I8, U8, BOOL)");
        }
        JsonNode shapeNode = n.get("shape");
        JsonNode offs = n.get("data_offsets");
        if (shapeNode == null || !shapeNode.isArray() || offs == null || !offs.isArray() || offs.size() != 2) {
            throw new SafetensorsFormatException(file, name, "entry needs 'shape' and two 'data_offsets'");
        }
        long[] shape = new long[shapeNode.size()];
        long numel = 1;
        for (int i = 0; i < shape.length; i++) {
            JsonNode d = shapeNode.get(i);
            shape[i] = d.isIntegralNumber() && d.canConvertToLong() ? d.asLong() : -1;
            if (shape[i] < 0) {
                throw new SafetensorsFormatException(file, name, "negative or non-integer dimension in shape "
                        + shapeNode);
            }
            // no tensor holds more elements than the file has bytes: a larger shape is a header that lies,
            // said as such (once "long overflow", or a product that wrapped round to a small number)
            if (shape[i] > 0 && numel > dataLen / shape[i]) {
                numel = dataLen + 1;
            } else {
                numel *= shape[i];
            }
        }
        if (numel > dataLen) {
            throw new SafetensorsFormatException(file, name, "shape " + shapeNode + " of " + dt + " needs more bytes"
                    + " than the file's whole data section holds (" + dataLen + "): the header is implausible");
        }
        long begin = offs.get(0).asLong(-1);
        long end = offs.get(1).asLong(-1);
        if (begin < 0 || end < begin) {
            throw new SafetensorsFormatException(file, name, "bad data_offsets " + offs);
        }
        if (end > dataLen) {
            throw new SafetensorsFormatException(file, name, "data_offsets " + offs
                    + " run past the end of the data section (" + dataLen + " bytes): the file is truncated"
                    + " or its header lies");
        }
        long expected = numel * dtype.size;
        if (end - begin != expected) {
            throw new SafetensorsFormatException(file, name, "byte range of " + (end - begin)
                    + " does not match shape " + shapeNode + " of " + dt + " (" + expected + " bytes)");
        }
        return new Entry(name, dtype, shape, begin, end);
    }

    private static void checkOverlaps(Path file, Map<String, Entry> entries) throws SafetensorsFormatException {
        List<Entry> sorted = new ArrayList<>(entries.values());
        sorted.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
        for (int i = 1; i < sorted.size(); i++) {
            Entry prev = sorted.get(i - 1);
            Entry cur = sorted.get(i);
            if (cur.begin() < prev.end() && cur.end() > cur.begin()) {
                throw new SafetensorsFormatException(file, cur.name(), "overlaps tensor '" + prev.name()
                        + "' (bytes " + cur.begin() + ".." + cur.end() + " vs " + prev.begin() + ".."
                        + prev.end() + ")");
            }
        }
    }

    private static void readFully(FileChannel ch, ByteBuffer buf, long pos) throws IOException {
        while (buf.hasRemaining()) {
            int n = ch.read(buf, pos + buf.position());
            if (n < 0) {
                throw new IOException("unexpected end of file");
            }
        }
    }

    public Path path() {
        return file;
    }

    public Map<String, Entry> entries() {
        return entries;
    }

    public Map<String, String> metadata() {
        return metadata;
    }

    public Entry entry(String name) throws SafetensorsFormatException {
        Entry e = entries.get(name);
        if (e == null) {
            throw new SafetensorsFormatException(file, name, "missing");
        }
        return e;
    }

    /** Raw little-endian bytes of one tensor, in a direct buffer. */
    public ByteBuffer bytes(String name) throws IOException {
        Entry e = entry(name);
        long len = e.end() - e.begin();
        if (len > Integer.MAX_VALUE - 8) {
            throw new SafetensorsFormatException(file, name, "tensor larger than 2 GiB is not supported");
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer out = ByteBuffer.allocateDirect((int) len).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, out, dataStart + e.begin());
            return out.flip();
        }
    }

    /**
     * Reads a tensor into {@code manager} in its stored dtype, except BF16, which is widened to F32
     * (exactly: a bf16 value is the top half of a float32). DJL 0.36's PyTorch JNI has no bfloat16
     * mapping and aborts the process when asked for one, so bf16 never reaches DJL.
     */
    public NDArray read(String name, NDManager manager) throws IOException {
        Entry e = entry(name);
        ByteBuffer buf = bytes(name);
        NDArray a;
        if (e.dtype() == TensorDType.BF16) {
            a = manager.create(Bf16.widen(buf), new Shape(e.shape()), ai.djl.ndarray.types.DataType.FLOAT32);
        } else {
            a = manager.create(buf, new Shape(e.shape()), e.dtype().djl);
        }
        a.setName(name);
        return a;
    }
}
