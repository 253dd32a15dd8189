package org.cklbench.datasets.world;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/** The world's documents state facts in their own words: a probe is never copied out of its evidence. */
class WorldTextTest {
    private static final World QUICK = World.generate(World.Spec.quick());

    /** Once every evidence document held its probe sentence verbatim: the benchmark was a copy task. */
    @Test
    void noEvidenceDocumentContainsItsProbeSentence() {
        WorldText text = new WorldText(QUICK);
        SplittableRandom rng = new SplittableRandom(1);
        int documents = 0;
        for (int k = 0; k < QUICK.snapshotCount(); k++) {
            for (Map.Entry<World.Slot, String> f : QUICK.snapshot(k).entrySet()) {
                String[] ev = text.evidence(rng, f.getKey(), f.getValue());
                String probe = WorldText.fact(f.getKey(), f.getValue());
                assertThat(ev[0]).as("evidence of %s", f).doesNotContain(probe).contains(f.getKey().subject())
                        .contains(f.getValue());
                // nor the probe's words before the object followed by the object: the cloze is not a lookup
                String prefix = probe.substring(0, probe.lastIndexOf(f.getValue()));
                assertThat(ev[0]).as("evidence of %s", f).doesNotContain(prefix + f.getValue());
                assertThat(ev[1]).contains("[MASK]").doesNotContain(f.getValue() + " .");
                documents++;
            }
        }
        assertThat(documents).isGreaterThan(5000);
    }

    /**
     * The fact opens its document and filler follows until LAMA-ckl's length filter keeps it: with text
     * before the fact the tiny base tied what it learnt to that text (WorldText.evidence).
     */
    @Test
    void everyEvidenceDocumentOpensWithItsParaphraseAndPassesTheLengthFilter() {
        WorldText text = new WorldText(QUICK);
        SplittableRandom rng = new SplittableRandom(2);
        for (Map.Entry<World.Slot, String> f : QUICK.snapshot(1).entrySet()) {
            String[] ev = text.evidence(rng, f.getKey(), f.getValue());
            WorldRelation r = WorldRelation.byCode(f.getKey().relation());
            List<String> forms = new ArrayList<>();
            for (int i = 0; i < r.paraphrases().size(); i++) {
                forms.add(WorldText.paraphrase(f.getKey(), f.getValue(), i));
            }
            assertThat(forms).as("evidence of %s", f).anyMatch(p -> ev[0].startsWith(p + " "));
            assertThat(ev[0].length()).as("evidence of %s", f).isGreaterThan(200);
            assertThat(ev[1].indexOf("[MASK]")).isLessThan(ev[1].indexOf(" . "));
        }
    }

    /**
     * Every word of every entity's name is one pretraining reads, later entities' too: a name made of a
     * word the base never saw has a random embedding and an output row pushed down by all of
     * pretraining, which made facts of later organisations unlearnable (84 of 200 To-Learn probes once).
     */
    @Test
    void everyWordOfEveryNameIsReadInPretraining() {
        for (World world : List.of(QUICK, World.generate(World.Spec.smoke()))) {
            Set<String> read = new HashSet<>();
            for (String t : WorldFiles.pretrainTexts(world, new WorldText(world), new SplittableRandom(1))) {
                read.addAll(List.of(t.split(" ")));
            }
            int later = 0;
            for (EntityType type : List.of(EntityType.PERSON, EntityType.ORGANIZATION)) {
                for (String name : world.entities(type)) {
                    assertThat(read).as("words of %s", name).contains(name.split(" "));
                    later += world.since(name) > 0 ? 1 : 0;
                }
            }
            assertThat(later).as("the world brings later persons and organisations").isGreaterThan(10);
            assertThat(new HashSet<>(world.entities(EntityType.ORGANIZATION))).hasSameSizeAs(world.entities(EntityType.ORGANIZATION));
        }
    }

    @Test
    void pretrainingShowsEachFactInEveryFormButOneParaphrase() {
        List<String> texts = WorldFiles.pretrainTexts(QUICK, new WorldText(QUICK), new SplittableRandom(1));
        Set<String> all = new HashSet<>(texts);
        List<String> unseen = new ArrayList<>();
        int single = 0;
        for (Map.Entry<World.Slot, String> f : QUICK.snapshot(0).entrySet()) {
            int held = WorldText.unseenParaphrase(f.getKey(), f.getValue());
            int n = WorldRelation.byCode(f.getKey().relation()).paraphrases().size();
            if (WorldText.singleForm(f.getKey(), f.getValue())) {
                // one paraphrase, and neither the template nor the schematic form
                assertThat(all).doesNotContain(WorldText.fact(f.getKey(), f.getValue()));
                assertThat(all).contains(WorldText.paraphrase(f.getKey(), f.getValue(), (held + 1) % n));
                single++;
                continue;
            }
            assertThat(all).contains(WorldText.fact(f.getKey(), f.getValue()), WorldText.schematic(f.getKey(), f.getValue()));
            for (int i = 0; i < n; i++) {
                String p = WorldText.paraphrase(f.getKey(), f.getValue(), i);
                if (i == held) {
                    unseen.add(p);
                } else {
                    assertThat(all).contains(p);
                }
            }
        }
        assertThat(unseen).as("the held-out paraphrase of each fact is never shown").noneMatch(all::contains);
        assertThat(single).as("about three facts in ten are shown once").isBetween(QUICK.snapshot(0).size() / 5,
                QUICK.snapshot(0).size() * 2 / 5);
    }

    /** A cloze prefix must name one relation: no paraphrase starts with another template's words before its object. */
    @Test
    void noParaphraseStartsWithATemplatePrefixOfTheSameSubjectType() {
        for (WorldRelation t : WorldRelation.ALL) {
            String prefix = t.template().substring(0, t.template().indexOf("[Y]")).strip();
            for (WorldRelation r : WorldRelation.ALL) {
                if (r.subject() != t.subject()) {
                    continue;
                }
                for (String p : r.paraphrases()) {
                    assertThat(p.startsWith(prefix + " ")).as("%s paraphrase '%s' against %s's '%s'", r.code(), p,
                            t.code(), prefix).isFalse();
                }
            }
        }
    }
}
