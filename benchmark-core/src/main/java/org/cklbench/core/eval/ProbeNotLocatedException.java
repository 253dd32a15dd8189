package org.cklbench.core.eval;

/** The object's tokens do not occur in the probe sentence's tokens: the row is wrong, not a zero. */
public class ProbeNotLocatedException extends IllegalArgumentException {
    private final String uuid;

    public ProbeNotLocatedException(String uuid, String message) {
        super(message);
        this.uuid = uuid;
    }

    public String uuid() {
        return uuid;
    }
}
