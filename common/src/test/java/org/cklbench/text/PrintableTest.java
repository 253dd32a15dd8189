package org.cklbench.text;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class PrintableTest {

    @Test
    void escapeSequencesBecomeVisibleText() {
        String osc52 = "run\u001b]52;c;ZXZpbA==\u0007 done";
        assertThat(Printable.of(osc52)).isEqualTo("run\\u001b]52;c;ZXZpbA==\\u0007 done").doesNotContain("\u001b");
        assertThat(Printable.of("a\rb\nc\u009bd\u2028e")).isEqualTo("a\\u000db\\u000ac\\u009bd\\u2028e");
    }

    @Test
    void ordinaryTextIsUnchanged() {
        String s = "finetune\tseed 1 · Überprüfung ✓";
        assertThat(Printable.of(s)).isSameAs(s);
        assertThat(Printable.of((Object) null)).isEqualTo("null");
    }
}
