package org.cklbench.cli;

/**
 * The command line cannot be used as given: options missing or in conflict, a value the command does
 * not accept. Exits 2 like picocli's own usage errors (an unknown option, a number that is not one);
 * everything that goes wrong once the command is understood exits 1 ({@link ExitCodes}).
 */
final class UsageError extends IllegalArgumentException {
    UsageError(String message) {
        super(message);
    }

    UsageError(String message, Throwable cause) {
        super(message, cause);
    }
}
