package org.cklbench.temporalwiki.build;

import org.cklbench.datasets.world.World;
import org.cklbench.datasets.world.WorldSnapshots;
import org.cklbench.temporalwiki.Diffsets;
import org.cklbench.temporalwiki.TwikiProbe;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Locale;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Once a changed fact whose diff was one short sentence lost it to the reference's filter (lines under
 * 50 characters) while its Changed probe stayed: no method could learn it. On the world, every
 * Changed probe keeps diff text that the filter keeps and that holds its object.
 */
class LearnableDiffsTest {
    @TempDir
    Path tmp;

    @Test
    void everyChangedProbeOfTheWorldHasDiffTextTheFilterKeeps() throws Exception {
        World.Spec spec = World.Spec.quick();
        WorldSnapshots.write(World.generate(spec), tmp);
        int probes = 0;
        for (int k = 0; k + 1 < spec.snapshots(); k++) {
            SnapshotBuilder.Result r = SnapshotBuilder.build(tmp.resolve("snapshot-" + k), tmp.resolve("snapshot-" + (k + 1)), k);
            assertThat(r.report().at("/changed/kept_whose_text_the_filter_drops").asLong()).as("period %d", k).isZero();
            for (TwikiProbe p : r.changed()) {
                String doc = r.diff().get(p.subject());
                assertThat(doc).as("diff of %s", p.subject()).isNotNull();
                assertThat(Diffsets.keep(doc)).as("the filter keeps the diff of %s: %s", p.subject(), doc).isTrue();
                assertThat(doc.toLowerCase(Locale.ROOT)).contains(p.object().toLowerCase(Locale.ROOT));
                // in the article's words, never the probe's
                assertThat(doc).doesNotContain(p.sentence());
                probes++;
            }
        }
        assertThat(probes).isGreaterThan(100);
    }
}
