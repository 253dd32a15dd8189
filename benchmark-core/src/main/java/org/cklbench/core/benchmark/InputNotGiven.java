package org.cklbench.core.benchmark;

/**
 * A run needs an input that the command line did not give ({@code --model}, {@code --data}: a preset
 * that generates nothing, such as {@code paper}). A usage error, as a missing option is: the command line
 * exits 2 on it, where a file that is given but wrong exits 1.
 */
public final class InputNotGiven extends IllegalArgumentException {
    public InputNotGiven(String message) {
        super(message);
    }
}
