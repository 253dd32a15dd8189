package org.cklbench.datasets.world;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

/** Pronounceable fictional names from syllables; unique within one generator. */
final class Names {
    private static final String[] ONSETS = {"b", "d", "f", "g", "k", "l", "m", "n", "p", "r", "s", "t", "v", "z",
        "br", "dr", "kl", "tr", "st", "gr", "th", "sh"};
    private static final String[] VOWELS = {"a", "e", "i", "o", "u", "ai", "ei", "ou"};
    private static final String[] CODAS = {"", "", "", "n", "r", "l", "s", "m", "th"};

    private final SplittableRandom rng;
    private final Set<String> used = new LinkedHashSet<>();

    Names(SplittableRandom rng) {
        this.rng = rng;
    }

    /** {@code n} new capitalised names of {@code syllables} syllables (one more at random). */
    List<String> words(int n, int syllables) {
        List<String> out = new ArrayList<>();
        while (out.size() < n) {
            StringBuilder sb = new StringBuilder();
            int parts = syllables + rng.nextInt(2);
            for (int i = 0; i < parts; i++) {
                sb.append(ONSETS[rng.nextInt(ONSETS.length)]).append(VOWELS[rng.nextInt(VOWELS.length)]);
                if (i == parts - 1) {
                    sb.append(CODAS[rng.nextInt(CODAS.length)]);
                }
            }
            String w = Character.toUpperCase(sb.charAt(0)) + sb.substring(1);
            if (used.add(w.toLowerCase())) {
                out.add(w);
            }
        }
        return out;
    }
}
