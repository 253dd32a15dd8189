package org.cklbench.cli;

import org.cklbench.io.JsonErrors;
import org.cklbench.text.Preformatted;
import org.cklbench.text.Printable;

import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;

/**
 * The one line {@code ckl: error: ...} says for a failure. Most exceptions here carry a message
 * written for the user; the JDK's file-system exceptions carry only a path, and Errors none at all.
 */
final class ErrorMessages {
    private ErrorMessages() {
    }

    /**
     * {@link #of} made safe for a terminal: one escaped line, or the lines of a {@link Preformatted}
     * message (the tail of an external method's log under its failure) each escaped.
     */
    static String printable(Throwable ex) {
        String message = of(ex);
        return ex instanceof Preformatted ? Preformatted.lines(message) : Printable.of(message);
    }

    static String of(Throwable ex) {
        if (ex instanceof OutOfMemoryError) {
            // what ran out is not known here: a large model or batch as much as an input larger than expected
            return "out of Java heap memory (" + ex.getMessage() + "): this command needed more than the "
                    + Runtime.getRuntime().maxMemory() / (1 << 20) + " MiB heap it was given; raise it with"
                    + " CKL_JAVA_OPTS=-Xmx8g, or make the work smaller (batch sizes, model) if that is not expected";
        }
        if (ex instanceof NoClassDefFoundError || ex instanceof ClassNotFoundException) {
            return "a class this command needs is missing: " + String.valueOf(ex.getMessage()).replace('/', '.')
                    + " (an incomplete installation, or a plugin jar without its dependency)";
        }
        if (ex instanceof LinkageError || ex instanceof java.util.ServiceConfigurationError) {
            return ex.getClass().getSimpleName() + ": " + ex.getMessage()
                    + (ex.getCause() != null ? " (" + ex.getCause() + ")" : "");
        }
        if (ex instanceof StackOverflowError) {
            return "stack overflow; an input may be nested far deeper than expected";
        }
        if (ex instanceof FileAlreadyExistsException e) {
            String p = e.getFile();
            return p + (p != null && Files.isRegularFile(Path.of(p)) ? " is a file, where a folder is needed"
                    : " already exists") + "; choose another path";
        }
        if (ex instanceof NotDirectoryException e) {
            return e.getFile() + " is not a folder";
        }
        if (ex instanceof NoSuchFileException e) {
            return e.getFile() + " does not exist" + (e.getReason() == null ? "" : " (" + e.getReason() + ")");
        }
        if (ex instanceof AccessDeniedException e) {
            return e.getFile() + ": permission denied";
        }
        if (ex instanceof DirectoryNotEmptyException e) {
            return e.getFile() + " is a folder that is not empty";
        }
        if (ex instanceof com.fasterxml.jackson.core.JacksonException e) {
            // a parse error nobody put into words: at least without Jackson's internals
            return "not valid JSON: " + JsonErrors.clean(String.valueOf(e.getOriginalMessage()));
        }
        return ex.getMessage() == null ? ex.toString() : JsonErrors.clean(ex.getMessage());
    }
}
