package org.cklbench.cli;

import ai.djl.Device;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import me.tongfei.progressbar.ProgressBar;
import org.cklbench.core.eval.Probe;
import org.cklbench.core.eval.ProbeEvaluator;
import org.cklbench.core.eval.ProbeResult;
import org.cklbench.engine.lora.LoraAdapter;
import org.cklbench.engine.model.HfModels;
import org.cklbench.engine.model.ForwardHooks;
import org.cklbench.engine.model.LlamaModel;
import org.cklbench.engine.tokenizer.TextTokenizer;
import org.cklbench.temporalwiki.Period;
import org.cklbench.temporalwiki.TwikiProbe;
import org.cklbench.temporalwiki.build.SnapshotBuilder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "temporalwiki", mixinStandardHelpOptions = true, description = "TemporalWiki: score a model on the probes, or build probes and diffsets from snapshots.",
        subcommands = {TemporalWikiCommand.Eval.class, TemporalWikiCommand.Build.class})
final class TemporalWikiCommand {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Command(name = "eval", mixinStandardHelpOptions = true,
            header = "Score a model on TemporalWiki's probes.",
            description = {"Mean object-token NLL of the schematic probe sentences per period: Un (unchanged), " +
                "C (changed) and Avg, lower is better. PROBES holds <0901-1001|1001-1101|1101-1201>_<changed|unchanged>"
                + " as .jsonl ({subject, relation, object}) or .csv with those columns."})
    static final class Eval implements Callable<Integer> {
        @Mixin
        AdaptedModel model;

        @Option(names = "--probes", required = true, description = "Folder of TemporalWiki probe files.")
        Path probes;

        @Option(names = "--batch-size", defaultValue = "64", description = "Probes scored per forward pass"
            + " (default: ${DEFAULT-VALUE}).") int batch;

        @Mixin
        EngineOptions engine;

        @Override
        public Integer call() throws Exception {
            Device device = engine.device();
            ObjectNode out = JSON.createObjectNode();
            try (LlamaModel m = HfModels.load(model.model(), device, engine.computeType(device));
                 TextTokenizer tok = TextTokenizer.load(model.model());
                 LoraAdapter lora = model.loadAdapter(m)) {
                ForwardHooks hooks = lora == null ? ForwardHooks.NONE : lora;
                ProbeEvaluator eval = new ProbeEvaluator(m, tok, batch);
                for (Period p : Period.ALL) {
                    List<TwikiProbe> c = TwikiProbe.read(p.probeFile(probes, true));
                    List<TwikiProbe> u = TwikiProbe.read(p.probeFile(probes, false));
                    double cn;
                    double un;
                    try (ProgressBar bar = Bars.bar("period " + p.name(), c.size() + u.size(), "probe")) {
                        cn = ProbeEvaluator.meanNll(eval.evaluate(probes(c, p, "c"), hooks, bar::stepBy));
                        un = ProbeEvaluator.meanNll(eval.evaluate(probes(u, p, "u"), hooks, bar::stepBy));
                    }
                    ObjectNode o = out.putObject(p.name());
                    o.put("un", un);
                    o.put("c", cn);
                    o.put("avg", (un + cn) / 2);
                    o.put("unchanged_probes", u.size());
                    o.put("changed_probes", c.size());
                }
            }
            System.out.println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(out));
            return 0;
        }

        private static List<Probe> probes(List<TwikiProbe> ps, Period p, String kind) {
            List<Probe> out = new ArrayList<>();
            for (int i = 0; i < ps.size(); i++) {
                out.add(ps.get(i).probe(p.probes() + "_" + kind + ":" + (i + 1)));
            }
            return out;
        }
    }

    @Command(name = "build", mixinStandardHelpOptions = true,
            header = "Build TemporalWiki probes and a diffset from two snapshots.",
            description = {"Probes and a diffset from two snapshots, as TemporalWiki built them. Each snapshot " +
                "folder holds wikidata.json (Wikidata's JSON entity dump, one entity per line; .gz or .bz2 too) and " +
                "wikipedia.jsonl ({title, text} per article). Writes OUT/probes/<name>_changed.jsonl, " +
                "OUT/probes/<name>_unchanged.jsonl, OUT/diffsets/<period>.jsonl and a report of every filter.",
                "With --hold-out SHARE, that share of subjects (chosen by a hash of the name, the same in every " +
                "period) is left out of probes and diffset, and their changed facts with their diff text go to " +
                "OUT/train_attention.jsonl, the meta-training split TAALM prepares on (one period's rows replaced " +
                "per call, the others kept)."})
    static final class Build implements Callable<Integer> {
        @Option(names = "--old", required = true, description = "Folder of the earlier snapshot.") Path old;
        @Option(names = "--new", required = true, description = "Folder of the later snapshot.") Path next;
        @Option(names = "--out", required = true, description = "Folder to write probes/, diffsets/ and"
            + " the meta-training split into.") Path out;
        @Option(names = "--period", defaultValue = "0910", description = "Name of the period (0910, 1011, 1112 or any).") String period;
        @Option(names = "--probes-name", description = "Stem of the probe files (default: the period's, e.g. 0901-1001).") String probesName;
        @Option(names = "--seed", defaultValue = "1", description = "Seed of the order in which the per-subject"
            + " and per-relation caps keep probes (default: ${DEFAULT-VALUE}).") long seed;
        @Option(names = "--hold-out", defaultValue = "0", description = "Share of subjects held out for the meta-training split (default: ${DEFAULT-VALUE}).")
        double holdOut;

        @Override
        public Integer call() throws Exception {
            String stem = probesName != null ? probesName : Period.ALL.stream().filter(p -> p.name().equals(period))
                    .map(Period::probes).findFirst().orElse(period);
            java.util.function.Predicate<String> held = SnapshotBuilder.heldOut(holdOut);
            SnapshotBuilder.Result r = SnapshotBuilder.build(old, next, seed);
            SnapshotBuilder.write(r, out, stem, period, s -> !held.test(s));
            if (holdOut > 0) {
                var rows = SnapshotBuilder.metaTraining(r, period, held);
                SnapshotBuilder.writeMetaTraining(out.resolve(org.cklbench.core.benchmark.Benchmark.META_TRAINING_FILE), period, rows);
                System.err.println(rows.size() + " meta-training rows of the held-out subjects in " + out.resolve(org.cklbench.core.benchmark.Benchmark.META_TRAINING_FILE));
            }
            System.out.println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(r.report()));
            System.out.println("wrote " + out);
            return 0;
        }
    }
}
