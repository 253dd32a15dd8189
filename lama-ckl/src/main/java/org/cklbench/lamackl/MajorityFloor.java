package org.cklbench.lamackl;

import org.cklbench.core.eval.Probe;
import org.cklbench.core.eval.ProbeEvaluator;
import org.cklbench.engine.tokenizer.TextTokenizer;

import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The majority-answer floor of LAMA-ckl: the To-Learn accuracy of a guesser that reads neither the probe
 * nor the evidence and answers every probe with the most common To-Learn object of its relation (ties: the
 * object first in string order). It is scored as {@link ProbeEvaluator} scores a model: the probe's
 * object tokens are located as the evaluator locates them, and the guess's token j counts when it equals
 * the object's token j, so a guess that shares a word with the answer ("Sipo Group" for "Lano Group")
 * earns partial credit, as a model's prediction would. A method whose Top Acc sits near this floor has
 * shown no learning the floor could not explain.
 */
public final class MajorityFloor {
    private MajorityFloor() {
    }

    /** The floor over {@code toLearn}, whose probes are in task form {@code form}. */
    public static double of(List<LamaCklRow> toLearn, String form, TextTokenizer tok) {
        if (toLearn.isEmpty()) {
            throw new IllegalArgumentException("the majority floor needs at least one To-Learn fact");
        }
        Map<String, String> guess = majorityObjects(toLearn);
        double sum = 0;
        for (LamaCklRow r : toLearn) {
            ProbeEvaluator.Located l = ProbeEvaluator.locate(new Probe(r.uuid(), r.task(form), r.object()), tok);
            long[] answer = Arrays.copyOfRange(l.ids(), l.objectStart(), l.objectStart() + l.objectLength());
            sum += tokenAccuracy(tok.encodePlain(guess.get(r.relationCode())), answer);
        }
        return sum / toLearn.size();
    }

    /** The most common object of each relation (ties broken by string order, so the result is deterministic). */
    static Map<String, String> majorityObjects(List<LamaCklRow> rows) {
        Map<String, Map<String, Long>> counts = rows.stream().collect(Collectors.groupingBy(LamaCklRow::relationCode,
                TreeMap::new, Collectors.groupingBy(LamaCklRow::object, TreeMap::new, Collectors.counting())));
        return counts.entrySet().stream().collect(Collectors.toMap(Map.Entry::getKey,
                e -> e.getValue().entrySet().stream()
                        .max(Comparator.<Map.Entry<String, Long>>comparingLong(Map.Entry::getValue)
                                .thenComparing(Map.Entry::getKey, Comparator.reverseOrder()))
                        .orElseThrow().getKey(),
                (a, b) -> a, TreeMap::new));
    }

    /** The share of the answer's tokens that the guess has at the same index (teacher-forced, as the evaluator). */
    static double tokenAccuracy(long[] guess, long[] answer) {
        int correct = 0;
        for (int j = 0; j < answer.length; j++) {
            if (j < guess.length && guess[j] == answer[j]) {
                correct++;
            }
        }
        return (double) correct / answer.length;
    }
}
