package org.cklbench.io;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class JsonErrorsTest {
    private static final String SOURCE = "[Source: REDACTED (`StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION` disabled); ";

    /** Jackson puts the location of an unclosed object on a line of its own; the user reads one line. */
    @Test
    void anUnclosedObjectIsSaidOnOneLineWithItsLocations() {
        String jackson = "Unexpected end-of-input: expected close marker for Object (start marker at " + SOURCE
                + "line: 1, column: 1])\n at " + SOURCE + "line: 2, column: 1]";
        assertThat(JsonErrors.clean(jackson)).isEqualTo("Unexpected end-of-input: expected close marker for Object"
                + " (start marker at line 1, column 1) at line 2, column 1");
    }

    /** A line break that is not Jackson's location stays (the caller escapes it). */
    @Test
    void otherLineBreaksAreLeftToTheCaller() {
        assertThat(JsonErrors.clean("first\nsecond")).isEqualTo("first\nsecond");
    }
}
