package org.cklbench.cli;

import ai.djl.Device;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.cklbench.lamackl.LamaCklRow;
import org.cklbench.lamackl.build.Audit;
import org.cklbench.lamackl.build.Candidates;
import org.cklbench.lamackl.build.LamaCklBuilder;
import org.cklbench.lamackl.build.Scores;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "lama-ckl", mixinStandardHelpOptions = true, description = "Build LAMA-ckl from LAMA (T-REx) for any base model, or audit a set.",
        subcommands = {LamaCklCommand.Build.class, LamaCklCommand.AuditCmd.class})
final class LamaCklCommand {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Command(name = "build", mixinStandardHelpOptions = true, sortOptions = false,
            header = "Build the LAMA-ckl splits from LAMA's T-REx for any base model.",
            description = {"Candidates from LAMA's T-REx input, scored by one or more base models (or read " +
                "from a scores file), selected by the rules with seeded sampling, deduplicated with Lucene. Writes " +
                "variant.jsonl, invariant_descriptive.jsonl, invariant_schematic.jsonl, train_attention.jsonl and " +
                "dedup-report.json (plus scores.jsonl when models scored the facts)."})
    static final class Build implements Callable<Integer> {
        @Option(names = "--trex", required = true, description = "LAMA's data folder (relations.jsonl and TREx/).")
        Path trex;

        /** Where the scores come from: models, or a file (exactly one; picocli checks). */
        @picocli.CommandLine.ArgGroup(exclusive = true, multiplicity = "1")
        Scoring scoring;

        static final class Scoring {
            @Option(names = "--model", required = true,
                    description = "A scoring model (repeatable); scores are named after the folder.")
            List<Path> models = new ArrayList<>();

            @Option(names = "--scores", required = true, description = "A file of {\"uuid\",\"scores\"} lines instead of models.")
            Path scores;
        }

        @Option(names = "--out", required = true, description = "Output folder.")
        Path out;

        @Option(names = "--size", defaultValue = "500", description = "To-Learn and Not-To-Forget sample size (default: ${DEFAULT-VALUE}).")
        int size;

        @Option(names = "--seed", defaultValue = "1", description = "Sampling seed (default: ${DEFAULT-VALUE}).")
        long seed;

        @Option(names = "--strict", description = "Also remove Not-To-Forget documents that duplicate To-Learn ones.")
        boolean strict;

        @Option(names = "--batch-size", defaultValue = "32", description = "Probes per forward pass when scoring.")
        int batch;

        @Mixin
        EngineOptions engine;

        @Override
        public Integer call() throws Exception {
            List<Path> models = scoring.models == null ? List.of() : scoring.models;
            Path scores = scoring.scores;
            List<LamaCklRow> candidates = Candidates.fromLama(trex);
            System.err.println(candidates.size() + " candidate facts from " + trex);
            if (scores != null) {
                int missing = LamaCklBuilder.attachScores(candidates, Scores.read(scores));
                System.err.println(missing + " candidates have no scores in " + scores + " and are left out");
            } else {
                List<LamaCklRow> eligible = candidates.stream().filter(Candidates::eligible).toList();
                Device device = engine.device();
                for (Path m : models) {
                    Scores.score(eligible, m, device, engine.computeType(device), batch, new BarProgress());
                }
                Files.createDirectories(out);
                Scores.write(out.resolve("scores.jsonl"), eligible);
            }
            LamaCklBuilder.Result r = LamaCklBuilder.select(candidates, size, seed, strict);
            LamaCklBuilder.write(r, out);
            System.out.printf("to_learn %d, not_to_forget_descriptive %d, not_to_forget_schematic %d, train_attention %d%n",
                    r.toLearn().size(), r.notToForgetDescriptive().size(), r.notToForgetSchematic().size(),
                    r.trainAttention().size());
            System.out.println("wrote " + out);
            return 0;
        }
    }

    @Command(name = "audit", mixinStandardHelpOptions = true,
            description = "Duplicate and near-duplicate evidence and identical triples within and across the splits of DIR.")
    static final class AuditCmd implements Callable<Integer> {
        @Parameters(paramLabel = "DIR", description = "A folder of LAMA-ckl split files (released or built).")
        Path dir;

        @Option(names = "--out", description = "Write the full report (with every pair) to this JSON file.")
        Path out;

        @Override
        public Integer call() throws Exception {
            ObjectNode report = Audit.audit(dir);
            if (out != null) {
                Files.writeString(out, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(report));
            }
            ObjectNode brief = report.deepCopy();
            JsonNode pairs = brief.remove("pairs");
            System.out.println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(brief));
            System.err.println(pairs.size() + " pairs" + (out == null ? " (--out FILE writes them)" : " written to " + out));
            return 0;
        }
    }

}
