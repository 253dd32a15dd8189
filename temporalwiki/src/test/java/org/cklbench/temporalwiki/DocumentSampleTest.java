package org.cklbench.temporalwiki;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DocumentSampleTest {
    private static final Period P = Period.ALL.get(0);

    /** 40 documents, each the evidence of one changed fact; 100 unchanged probes. */
    private static List<String> docs() {
        List<String> d = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            d.add("Subject" + (100 + i) + " now works for Org" + (100 + i) + " . Records from year two note a change concerning Subject" + (100 + i) + " .");
        }
        return d;
    }

    private static List<TwikiProbe> changed() {
        List<TwikiProbe> c = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            c.add(new TwikiProbe("Subject" + (100 + i), "employer", "Org" + (100 + i)));
        }
        return c;
    }

    private static List<TwikiProbe> unchanged() {
        List<TwikiProbe> u = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            u.add(new TwikiProbe("Other" + i, "country", "Land" + (i % 7)));
        }
        return u;
    }

    @Test
    void keepsTheCapTheChangedProbesWithEvidenceAndTheSameShareOfUnchanged() {
        DocumentSample s = DocumentSample.of(P, docs(), changed(), unchanged(), 10);
        assertThat(s.documents()).hasSize(10);
        // exactly the changed facts whose document was kept, and no other
        assertThat(s.changed()).hasSize(10).allMatch(c -> s.documents().stream()
                .anyMatch(d -> d.contains(c.subject() + " ") && d.contains(c.object() + " ")));
        assertThat(s.unchanged()).hasSize(25);
        // kept items keep the file's order
        assertThat(s.documents()).isSortedAccordingTo((a, b) -> Integer.compare(docs().indexOf(a), docs().indexOf(b)));
    }

    @Test
    void theSampleFollowsTheTextsNotTheirOrderAndDiffersByPeriod() {
        DocumentSample a = DocumentSample.of(P, docs(), changed(), unchanged(), 10);
        List<String> shuffled = new ArrayList<>(docs());
        Collections.shuffle(shuffled, new java.util.Random(3));
        DocumentSample b = DocumentSample.of(P, shuffled, changed(), unchanged(), 10);
        assertThat(b.documents()).containsExactlyInAnyOrderElementsOf(a.documents());
        assertThat(DocumentSample.of(P, docs(), changed(), unchanged(), 10)).isEqualTo(a);
        assertThat(DocumentSample.of(Period.ALL.get(1), docs(), changed(), unchanged(), 10).documents())
                .isNotEqualTo(a.documents());
    }

    @Test
    void aCapThatKeepsNoEvidenceIsRefused() {
        List<String> noEvidence = new ArrayList<>(docs());
        noEvidence.replaceAll(d -> d.replace("Org", "Firm"));
        assertThatThrownBy(() -> DocumentSample.of(P, noEvidence, changed(), unchanged(), 10))
                .hasMessageContaining("max_documents 10").hasMessageContaining(P.name());
    }
}
