package org.cklbench.cli;

import org.cklbench.core.plugin.Registries;
import org.cklbench.sweeps.Grid;
import org.cklbench.sweeps.SweepEntry;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Grid files expand into checked, stably named runs (with the real benchmarks and methods). */
class SweepGridTest {
    @TempDir
    Path tmp;

    static Registries registries;

    @BeforeAll
    static void registry() throws Exception {
        registries = Registries.load(null);
    }

    private List<SweepEntry> expand(String json) throws Exception {
        Path f = tmp.resolve("grid.json");
        Files.writeString(f, json);
        return Grid.read(f).expand(registries);
    }

    @Test
    void everyCombinationInTheFilesOrderWithStableIds() throws Exception {
        String grid = """
                {"benchmark": ["lama-ckl", "temporalwiki"], "method": ["finetune", "recadam"], "seed": [1, 2],
                 "preset": "smoke", "set": {"lr": [1e-3, 2e-3]}}""";
        List<SweepEntry> a = expand(grid);
        assertThat(a).hasSize(16);
        assertThat(a.get(0).config().benchmark()).isEqualTo("lama-ckl");
        assertThat(a.get(0).config().method()).isEqualTo("finetune");
        assertThat(a.get(0).config().settings().get("lr").asDouble()).isEqualTo(0.001);
        assertThat(a.get(0).config().seed()).isEqualTo(1);
        assertThat(a.get(1).config().seed()).isEqualTo(2);
        assertThat(a.stream().map(SweepEntry::id).distinct()).hasSize(16);
        assertThat(a.get(0).id()).matches("lama-ckl_finetune_smoke_s1_[0-9a-f]{12}");
        assertThat(expand(grid).stream().map(SweepEntry::id).toList())
                .as("the same file names the same runs").isEqualTo(a.stream().map(SweepEntry::id).toList());
    }

    @Test
    void anIdHashesTheResolvedConfiguration() throws Exception {
        String implicit = expand("{\"benchmark\":\"lama-ckl\",\"method\":\"recadam\",\"preset\":\"smoke\"}").get(0).id();
        String explicit = expand("{\"benchmark\":\"lama-ckl\",\"method\":\"recadam\",\"preset\":\"smoke\","
                + "\"params\":{\"anneal_k\":20}}").get(0).id();
        assertThat(explicit).as("a parameter given at its default is the same run").isEqualTo(implicit);
        String seed1 = expand("{\"benchmark\":\"lama-ckl\",\"method\":\"recadam\",\"preset\":\"smoke\",\"seed\":1}").get(0).id();
        assertThat(seed1).as("seed 1 is the default").isEqualTo(implicit);
        String other = expand("{\"benchmark\":\"lama-ckl\",\"method\":\"recadam\",\"preset\":\"smoke\",\"set\":{\"epochs\":5}}")
                .get(0).id();
        assertThat(other).isNotEqualTo(implicit);
        String lrAtDefault = expand("{\"benchmark\":\"lama-ckl\",\"method\":\"recadam\",\"preset\":\"smoke\","
                + "\"set\":{\"lr\":\"7e-3\"}}").get(0).id();
        assertThat(lrAtDefault).as("a setting given at the preset's value is the same run").isEqualTo(implicit);
    }

    @Test
    void numbersAreNormalisedSoOneValueIsOneRun() throws Exception {
        List<String> ids = List.of("0.4", "\".4\"", "0.40", "\"4e-1\"").stream()
                .map(v -> {
                    try {
                        return expand("{\"benchmark\":\"lama-ckl\",\"method\":\"rho1\",\"preset\":\"smoke\","
                                + "\"params\":{\"keep\":" + v + "}}").get(0).id();
                    } catch (Exception e) {
                        throw new AssertionError(e);
                    }
                }).distinct().toList();
        assertThat(ids).hasSize(1);
        assertThat(ids.get(0)).isEqualTo(expand("{\"benchmark\":\"lama-ckl\",\"method\":\"rho1\",\"preset\":\"smoke\"}")
                .get(0).id());
    }

    @Test
    void theSweepAndTheRunNameARunAlike() throws Exception {
        SweepEntry e = expand("{\"benchmark\":\"lama-ckl\",\"method\":\"rho1\",\"preset\":\"smoke\","
                + "\"params\":{\"keep\":\".5\"},\"set\":{\"epochs\":1},\"threads\":2}").get(0);
        Cli.Run r = Cli.ckl("run", "--benchmark", "lama-ckl", "--method", "rho1", "--preset", "smoke", "--param",
                "keep=0.50", "--set", "epochs=1", "--threads", "2", "--out", tmp.resolve("runs").toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(Cli.onlyRun(tmp.resolve("runs")).getFileName().toString()).isEqualTo(e.id());
    }

    @Test
    void subGridsInheritTheRestAndAMethodsQualifiedParameterGoesToSpecsWithIt() throws Exception {
        Path ta = Files.createDirectories(tmp.resolve("ta"));
        List<SweepEntry> e = expand("""
                {"preset": "smoke", "seed": [1, 2], "params": {"taalm.ta": "%s"},
                 "grids": [{"benchmark": "lama-ckl", "method": ["finetune", "taalm", "taalm+kadapter"]},
                           {"benchmark": "temporalwiki", "method": "finetune", "seed": 3}]}""".formatted(ta));
        assertThat(e).hasSize(7);
        assertThat(e.get(0).config().methodParams()).isEmpty();
        assertThat(e.get(2).config().methodParams()).containsEntry("ta", ta.toString());
        assertThat(e.get(4).config().methodParams()).containsEntry("taalm.ta", ta.toString());
        assertThat(e.get(6).config().benchmark()).isEqualTo("temporalwiki");
        assertThat(e.get(6).config().seed()).isEqualTo(3);
    }

    @Test
    void theExampleGridsExpandAndADryRunWritesThePapersArrayScript() throws Exception {
        Path examples = Path.of("..", "examples", "sweeps").toAbsolutePath().normalize();
        assertThat(Grid.read(examples.resolve("smoke.json")).expand(registries)).hasSize(4);
        assertThat(Files.readString(examples.resolve("../../docs/sweeps.md")))
                .as("docs/sweeps.md shows the example as it is").contains(Files.readString(examples.resolve("paper-lama-ckl.json")));

        // The grid's model, data and Train-Attention folders exist on the cluster; here they are made under tmp.
        Path root = tmp.resolve("cluster");
        for (String d : List.of("models/Llama-2-7b-hf", "data/lama-ckl-release", "models/ta-llama2/best")) {
            Files.createDirectories(root.resolve(d));
        }
        Path grid = tmp.resolve("paper-lama-ckl.json");
        Files.writeString(grid, Files.readString(examples.resolve("paper-lama-ckl.json")).replace("\"/", "\"" + root + "/"));
        Path twiki = tmp.resolve("paper-temporalwiki.json");
        for (String d : List.of("models/TinyLlama-1.1B", "data/temporalwiki", "models/ta-tinyllama-twiki/best")) {
            Files.createDirectories(root.resolve(d));
        }
        Files.writeString(twiki, Files.readString(examples.resolve("paper-temporalwiki.json")).replace("\"/", "\"" + root + "/"));
        assertThat(Grid.read(twiki).expand(registries)).hasSize(24);
        assertThat(Grid.read(grid).expand(registries)).hasSize(33);
        Cli.Run dry = Cli.ckl("sweep", "--grid", grid.toString(), "--out", tmp.resolve("paper").toString(), "--executor",
                "slurm", "--dry-run");
        assertThat(dry.code()).as(dry.err()).isZero();
        assertThat(dry.err()).contains("33 to submit", "nothing submitted");
        assertThat(dry.out().lines()).hasSize(33);
        String script = Files.readString(tmp.resolve("paper/.sweep/slurm/submit-001.sh"));
        assertThat(script).contains("#SBATCH --array=0-32%8", "#SBATCH --gres=gpu:1", "#SBATCH --time=24:00:00",
                "module load java/17", "--param taalm.ta=" + root + "/models/ta-llama2/best",
                "--device gpu", "--model " + root + "/models/Llama-2-7b-hf");
        assertThat(tmp.resolve("paper/.sweep/submissions.jsonl")).doesNotExist();
    }

    @Test
    void mistakesAreNamedWithTheFileAndWhere() throws Exception {
        assertThatThrownBy(() -> expand("{\"benchmark\":\"lama-ckl\",\"methods\":\"finetune\",\"preset\":\"smoke\"}"))
                .hasMessageContaining("grid.json").hasMessageContaining("unknown key 'methods'");
        assertThatThrownBy(() -> expand("{\"benchmark\":\"lama-ckl\",\"method\":\"nosuch\",\"preset\":\"smoke\"}"))
                .hasMessageContaining("nosuch");
        assertThatThrownBy(() -> expand("{\"benchmark\":\"lama-ckl\",\"method\":\"finetune\",\"preset\":\"smoke\","
                + "\"params\":{\"lambda\":1}}")).hasMessageContaining("lambda");
        assertThatThrownBy(() -> expand("{\"benchmark\":\"lama\",\"method\":\"finetune\",\"preset\":\"smoke\"}"))
                .hasMessageContaining("unknown benchmark 'lama'");
        assertThatThrownBy(() -> expand("{\"benchmark\":\"lama-ckl\",\"method\":\"finetune\",\"preset\":\"tiny\"}"))
                .hasMessageContaining("no preset 'tiny'");
        assertThatThrownBy(() -> expand("{\"benchmark\":\"lama-ckl\",\"method\":\"finetune\",\"preset\":\"smoke\",\"seed\":[]}"))
                .hasMessageContaining("empty list");
        assertThatThrownBy(() -> expand("{\"benchmark\":\"lama-ckl\",\"method\":\"finetune\",\"preset\":\"smoke\",\"seed\":\"x\"}"))
                .hasMessageContaining("seed must be an integer");
        assertThatThrownBy(() -> expand("{\"benchmark\":\"lama-ckl\",")).hasMessageContaining("not valid JSON");
        assertThatThrownBy(() -> expand("{\"method\":\"finetune\",\"preset\":\"smoke\"}"))
                .hasMessageContaining("\"benchmark\" is missing");
        assertThatThrownBy(() -> expand("{\"benchmark\":\"lama-ckl\",\"method\":\"finetune\",\"benchmark\":\"x\",\"preset\":\"smoke\"}"))
                .as("a key given twice").hasMessageContaining("Duplicate field 'benchmark'");
        assertThatThrownBy(() -> expand("""
                {"benchmark": "lama-ckl", "preset": "smoke",
                 "grids": [{"method": "finetune"}, {"method": "rho1", "params": {"keep": 1.5}}]}"""))
                .as("a bad parameter value names the file and the sub-grid")
                .hasMessageContaining("grid.json, grids[1]").hasMessageContaining("keep=1.5").hasMessageContaining("(0, 1]");
        assertThatThrownBy(() -> expand("{\"benchmark\":\"lama-ckl\",\"method\":\"finetune\",\"preset\":\"smoke\","
                + "\"set\":{\"epochs\":\"many\"}}")).hasMessageContaining("epochs=many");
        Path bad = tmp.resolve("bad.json");
        Files.writeString(bad, """
                {"benchmark": "lama-ckl", "preset": "smoke",
                 "grids": [{"method": "finetune"}, {"method": "rho1", "params": {"keep": "lots"}}]}""");
        Cli.Run dry = Cli.ckl("sweep", "--grid", bad.toString(), "--out", tmp.resolve("s").toString(), "--dry-run");
        assertThat(dry.code()).isEqualTo(1);
        assertThat(dry.err()).contains("bad.json, grids[1]", "keep=lots", "expected a number in (0, 1]");
        assertThat(tmp.resolve("s")).as("nothing written").doesNotExist();
        assertThatThrownBy(() -> expand("{\"benchmark\":\"lama-ckl\",\"method\":\"finetune\",\"preset\":\"smoke\","
                + "\"set\":{\"epoch\":3}}")).hasMessageContaining("no such setting");
        assertThatThrownBy(() -> expand("{\"benchmark\":\"lama-ckl\",\"method\":\"finetune\",\"preset\":\"smoke\","
                + "\"data\":\"no-such-folder\"}")).as("a missing input folder, before anything runs")
                .hasMessageContaining("no-such-folder").hasMessageContaining("does not exist");
    }

    /** A grid of 10^6 runs once took minutes and a 227 MB dry-run listing to be accepted. */
    @Test
    void aHugeGridIsRefusedBeforeExpandingUnlessAllowed() throws Exception {
        String seeds = java.util.stream.IntStream.rangeClosed(1, 1000).mapToObj(Integer::toString)
                .collect(java.util.stream.Collectors.joining(","));
        String huge = "{\"benchmark\":\"lama-ckl\",\"method\":\"finetune\",\"preset\":\"smoke\",\"seed\":[" + seeds
                + "],\"set\":{\"epochs\":[1,2,3,4,5,6,7,8,9,10],\"lr\":[1e-3,2e-3,3e-3,4e-3,5e-3,6e-3,7e-3,8e-3,9e-3,1e-2,"
                + "2e-2,3e-2,4e-2,5e-2,6e-2,7e-2,8e-2,9e-2,1e-1,2e-1]}}";
        assertThatThrownBy(() -> expand(huge)).hasMessageContaining("200,000 combinations")
                .hasMessageContaining("cap of 10,000").hasMessageContaining("--max-runs");
        Path f = tmp.resolve("seeds.json");
        Files.writeString(f, "{\"benchmark\":\"lama-ckl\",\"method\":\"finetune\",\"preset\":\"smoke\",\"seed\":["
                + seeds + "]}");
        assertThatThrownBy(() -> Grid.read(f).expand(registries, 999)).hasMessageContaining("1,000 combinations");
        assertThat(Grid.read(f).expand(registries, 1000)).hasSize(1000);
        Cli.Run dry = Cli.ckl("sweep", "--grid", f.toString(), "--out", tmp.resolve("s").toString(), "--dry-run",
                "--max-runs", "10");
        assertThat(dry.code()).isEqualTo(1);
        assertThat(dry.err()).contains("cap of 10;").contains("--max-runs");
    }

    /** Once both were accepted, and the root would have been hashed whole by each run. */
    @Test
    void aModelThatIsTheRootOrAPlainFileIsRefused() throws Exception {
        assertThatThrownBy(() -> expand("{\"benchmark\":\"lama-ckl\",\"method\":\"finetune\",\"preset\":\"smoke\","
                + "\"model\":\"/\"}")).hasMessageContaining("grid.json").hasMessageContaining("root");
        Files.writeString(tmp.resolve("weights.bin"), "x");
        assertThatThrownBy(() -> expand("{\"benchmark\":\"lama-ckl\",\"method\":\"finetune\",\"preset\":\"smoke\","
                + "\"model\":\"weights.bin\"}")).hasMessageContaining("weights.bin is a file");
    }
}
