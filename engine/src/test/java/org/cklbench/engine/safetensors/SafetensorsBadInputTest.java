package org.cklbench.engine.safetensors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Each way a safetensors file can lie is refused with a message naming the file and the tensor. */
class SafetensorsBadInputTest {
    @TempDir
    Path dir;

    /** A file with {@code header} as its JSON and {@code dataBytes} bytes of data. */
    private Path file(String header, int dataBytes) throws IOException {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h);
        Path p = dir.resolve("weights.safetensors");
        Files.write(p, b.array());
        return p;
    }

    @Test
    void tooShortForTheLength() throws IOException {
        Path p = dir.resolve("tiny.safetensors");
        Files.write(p, new byte[] {1, 2, 3});
        assertThatThrownBy(() -> SafetensorsFile.open(p)).isInstanceOf(SafetensorsFormatException.class)
                .hasMessageContaining("tiny.safetensors").hasMessageContaining("truncated");
    }

    @Test
    void headerLongerThanTheFile() throws IOException {
        Path p = dir.resolve("cut.safetensors");
        ByteBuffer b = ByteBuffer.allocate(20).order(ByteOrder.LITTLE_ENDIAN).putLong(1000);
        Files.write(p, b.array());
        assertThatThrownBy(() -> SafetensorsFile.open(p)).hasMessageContaining("cut.safetensors")
                .hasMessageContaining("truncated").hasMessageContaining("1000");
    }

    @Test
    void truncatedData() throws IOException {
        Path p = file("{\"w\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,16]}}", 8);
        assertThatThrownBy(() -> SafetensorsFile.open(p)).hasMessageContaining("weights.safetensors")
                .hasMessageContaining("tensor 'w'").hasMessageContaining("past the end");
    }

    @Test
    void offsetsBeyondTheEnd() throws IOException {
        Path p = file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[400,404]}}", 8);
        assertThatThrownBy(() -> SafetensorsFile.open(p)).hasMessageContaining("tensor 'b'")
                .hasMessageContaining("past the end");
    }

    @Test
    void overlappingTensors() throws IOException {
        Path p = file("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", 12);
        assertThatThrownBy(() -> SafetensorsFile.open(p)).hasMessageContaining("tensor 'b'")
                .hasMessageContaining("overlaps tensor 'a'");
    }

    @Test
    void unknownDtype() throws IOException {
        Path p = file("{\"q\":{\"dtype\":\"F8_E4M3\",\"shape\":[4],\"data_offsets\":[0,4]}}", 4);
        assertThatThrownBy(() -> SafetensorsFile.open(p)).hasMessageContaining("tensor 'q'")
                .hasMessageContaining("unknown dtype 'F8_E4M3'");
    }

    @Test
    void shapeThatDisagreesWithTheByteRange() throws IOException {
        Path p = file("{\"w\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", 8);
        assertThatThrownBy(() -> SafetensorsFile.open(p)).hasMessageContaining("tensor 'w'")
                .hasMessageContaining("does not match shape");
    }

    @Test
    void headerThatIsNotJson() throws IOException {
        Path p = file("{not json", 0);
        assertThatThrownBy(() -> SafetensorsFile.open(p)).hasMessageContaining("weights.safetensors")
                .hasMessageContaining("not valid JSON");
    }

    /** Once "long overflow" (or, at 2^62 of F32, a byte count that wrapped round to 0 and was accepted). */
    @Test
    void anAbsurdShapeIsCalledAnImplausibleHeaderNamingTheTensor() throws IOException {
        for (String shape : new String[] {"[4611686018427387904]", "[2147483648,2147483648,2147483648]"}) {
            Path p = file("{\"w\":{\"dtype\":\"F32\",\"shape\":" + shape + ",\"data_offsets\":[0,0]}}", 8);
            assertThatThrownBy(() -> SafetensorsFile.open(p)).isInstanceOf(SafetensorsFormatException.class)
                    .hasMessageContaining("weights.safetensors").hasMessageContaining("tensor 'w'")
                    .hasMessageContaining("header is implausible").hasMessageNotContaining("overflow");
        }
    }
}
