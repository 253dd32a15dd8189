package org.cklbench.engine.safetensors;

import java.io.IOException;
import java.nio.file.Path;

/** A safetensors file that is not what it claims to be; the message names the file and tensor. */
public class SafetensorsFormatException extends IOException {
    public SafetensorsFormatException(Path file, String tensor, String problem) {
        super(file + (tensor == null ? "" : ": tensor '" + tensor + "'") + ": " + problem);
    }
}
