package org.cklbench.cli;

import org.cklbench.io.JsonErrors;

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

    static String of(Throwable ex) {
        if (ex instanceof OutOfMemoryError) {
            return "out of Java heap memory (" + ex.getMessage() + "); a file may hold a line or value far larger"
                    + " than expected; if the input is right, raise the heap with CKL_JAVA_OPTS=-Xmx4g";
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
