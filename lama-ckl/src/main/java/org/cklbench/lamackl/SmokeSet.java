package org.cklbench.lamackl;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.cklbench.io.Folders;
import org.cklbench.io.JsonLines;
import org.cklbench.engine.model.HfModels;
import org.cklbench.engine.model.LlamaConfig;
import org.cklbench.engine.model.LlamaModel;
import org.cklbench.engine.tokenizer.TextTokenizer;
import org.cklbench.engine.tokenizer.WordLevelTokenizers;
import org.cklbench.core.train.Pretraining;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.UUID;

/**
 * The {@code smoke} preset's inputs: a handful of fictional facts in the released row format (To-Learn,
 * Not-To-Forget and a Train-Attention split) and a tiny Llama with a word-level tokenizer over exactly
 * their words, pretrained briefly on the invariant facts. Everything is
 * drawn from a fixed seed, so every machine generates byte-identical files; they are made once under
 * {@code CKL_HOME/presets/smoke/lama-ckl} and reused.
 */
public final class SmokeSet {
    static final int FACTS_PER_SPLIT = 8;
    private static final long SEED = 20240716L;
    private static final int PRETRAIN_EPOCHS = 40;
    private static final String[] SYLLABLES = {"ka", "lo", "mir", "ta", "ven", "do", "ris", "an", "bel", "ur", "zo",
        "pen", "qua", "li", "sor", "em", "tha", "gri"};
    /** code, label, template, invariant. */
    private static final String[][] RELATIONS = {
        {"P19", "place of birth", "[X] was born in [Y] .", "true"},
        {"P36", "capital", "The capital of [X] is [Y] .", "true"},
        {"P37", "official language", "The official language of [X] is [Y] .", "true"},
        {"P108", "employer", "[X] works for [Y] .", "false"},
        {"P54", "member of sports team", "[X] plays for [Y] .", "false"},
        {"P6", "head of government", "The head of the government of [X] is [Y] .", "false"},
    };
    private static final String[] FILLER = {
        "The archive lists many records from the northern valleys .",
        "Travellers often describe the weather there as mild and dry .",
        "Several old maps show the river bending twice near the hills .",
        "Local stories mention a market that opens every second week .",
        "The museum keeps a small collection of painted stones .",
        "Historians still argue about the age of the eastern bridge .",
    };

    private SmokeSet() {
    }

    /** The data and model folders under {@code home}, generated when absent. */
    public static Path[] ensure(Path home) throws IOException {
        Path root = home.resolve("presets").resolve("smoke").resolve("lama-ckl-v2");
        if (!Files.isRegularFile(root.resolve("model").resolve("config.json"))) {
            Path tmp = Files.createTempDirectory(Files.createDirectories(root.getParent()), ".lama-ckl.");
            generate(tmp);
            Folders.publish(tmp, root);
        }
        return new Path[] {root.resolve("data"), root.resolve("model")};
    }

    static void generate(Path root) throws IOException {
        SplittableRandom rng = new SplittableRandom(SEED);
        Set<String> used = new LinkedHashSet<>();
        List<LamaCklRow> variant = new ArrayList<>();
        List<LamaCklRow> invariant = new ArrayList<>();
        List<LamaCklRow> trainAttention = new ArrayList<>();
        int n = 0;
        while (variant.size() < FACTS_PER_SPLIT || invariant.size() < FACTS_PER_SPLIT
                || trainAttention.size() < FACTS_PER_SPLIT) {
            String[] rel = RELATIONS[n++ % RELATIONS.length];
            boolean inv = Boolean.parseBoolean(rel[3]);
            List<LamaCklRow> target = inv ? invariant : variant.size() < FACTS_PER_SPLIT ? variant : trainAttention;
            if (target.size() >= FACTS_PER_SPLIT) {
                continue;
            }
            String subject = name(rng, used);
            String object = name(rng, used);
            target.add(row(rng, rel, subject, object, inv));
        }
        Path data = Files.createDirectories(root.resolve("data"));
        JsonLines.write(data.resolve("variant.jsonl"), variant.stream().map(LamaCklRow::toJson).toList());
        JsonLines.write(data.resolve("invariant_descriptive.jsonl"), invariant.stream().map(LamaCklRow::toJson).toList());
        JsonLines.write(data.resolve("invariant_schematic.jsonl"), invariant.stream().map(LamaCklRow::toJson).toList());
        JsonLines.write(data.resolve("train_attention.jsonl"), trainAttention.stream().map(LamaCklRow::toJson).toList());

        List<String> texts = new ArrayList<>();
        for (LamaCklRow r : concat(concat(variant, invariant), trainAttention)) {
            texts.add(r.evidence());
            texts.add(r.taskDescriptive());
            texts.add(r.taskSchematic());
        }
        Path model = Files.createDirectories(root.resolve("model"));
        int vocab = WordLevelTokenizers.write(model, texts);
        LlamaConfig config = LlamaConfig.create(vocab, 32, 64, 2, 4, 2, false, 256);
        // A base that knows the invariant facts (and nothing of the variant ones), as LAMA-ckl assumes.
        List<String> known = new ArrayList<>();
        for (LamaCklRow r : invariant) {
            known.add(r.evidence());
            known.add(r.taskDescriptive());
            known.add(r.taskSchematic());
        }
        try (LlamaModel m = HfModels.init(config, SEED, Device.cpu(), DataType.FLOAT32);
             TextTokenizer tok = TextTokenizer.load(model)) {
            Pretraining.run(m, tok, known, PRETRAIN_EPOCHS, 4, 3e-3, SEED);
            HfModels.save(m, model);
        }
    }

    private static List<LamaCklRow> concat(List<LamaCklRow> a, List<LamaCklRow> b) {
        List<LamaCklRow> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }

    private static String name(SplittableRandom rng, Set<String> used) {
        while (true) {
            StringBuilder sb = new StringBuilder();
            int parts = 2 + rng.nextInt(2);
            for (int i = 0; i < parts; i++) {
                sb.append(SYLLABLES[rng.nextInt(SYLLABLES.length)]);
            }
            String s = Character.toUpperCase(sb.charAt(0)) + sb.substring(1);
            if (used.add(s)) {
                return s;
            }
        }
    }

    private static LamaCklRow row(SplittableRandom rng, String[] rel, String subject, String object, boolean invariant) {
        String fact = rel[2].replace("[X]", subject).replace("[Y]", object);
        String masked = rel[2].replace("[X]", subject).replace("[Y]", "[MASK]");
        StringBuilder before = new StringBuilder();
        StringBuilder after = new StringBuilder();
        int k = rng.nextInt(FILLER.length);
        for (int i = 0; i < 2; i++) {
            before.append(FILLER[(k + i) % FILLER.length]).append(' ');
            after.append(' ').append(FILLER[(k + 3 + i) % FILLER.length]);
        }
        String evidence = before + subject + " is mentioned in the records . " + fact + after;
        String maskedEvidence = before + subject + " is mentioned in the records . " + masked + after;
        // Nothing scored these facts (the smoke model is random), so the score maps stay empty.
        ObjectNode scores = new ObjectMapper().createObjectNode();
        scores.putObject("descriptive");
        scores.putObject("schematic");
        String uuid = UUID.nameUUIDFromBytes((rel[0] + "|" + subject + "|" + object).getBytes()).toString();
        return new LamaCklRow(rel[0], uuid, fact, LamaCklRow.schematic(subject, rel[1], object), subject, rel[1], object,
                maskedEvidence, evidence, (double) maskedEvidence.indexOf("[MASK]") / maskedEvidence.length(),
                evidence.length(), invariant, scores);
    }
}
