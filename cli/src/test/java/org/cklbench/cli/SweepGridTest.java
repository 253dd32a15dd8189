package org.cklbench.cli;

import org.cklbench.core.method.MethodRegistry;
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

    static MethodRegistry methods;

    @BeforeAll
    static void registry() throws Exception {
        methods = MethodRegistry.load(null);
    }

    private List<SweepEntry> expand(String json) throws Exception {
        Path f = tmp.resolve("grid.json");
        Files.writeString(f, json);
        return Grid.read(f).expand(methods);
    }

    @Test
    void everyCombinationInTheFilesOrderWithStableIds() throws Exception {
        String grid = """
                {"benchmark": ["lama-ckl", "temporalwiki"], "method": ["finetune", "recadam"], "seed": [1, 2],
                 "preset": "smoke", "set": {"lr": [1e-3, 2e-3]}}""";
        List<SweepEntry> a = expand(grid);
        assertThat(a).hasSize(16);
        assertThat(a.get(0).benchmark()).isEqualTo("lama-ckl");
        assertThat(a.get(0).method()).isEqualTo("finetune");
        assertThat(a.get(0).settings()).containsEntry("lr", "0.001");
        assertThat(a.get(0).seed()).isEqualTo(1);
        assertThat(a.get(1).seed()).isEqualTo(2);
        assertThat(a.stream().map(SweepEntry::id).distinct()).hasSize(16);
        assertThat(a.get(0).id()).matches("lama-ckl_finetune_smoke_s1_[0-9a-f]{12}");
        assertThat(expand(grid).stream().map(SweepEntry::id).toList())
                .as("the same file names the same runs").isEqualTo(a.stream().map(SweepEntry::id).toList());
    }

    @Test
    void anIdHashesTheResolvedConfiguration() throws Exception {
        String implicit = expand("{\"benchmark\":\"lama-ckl\",\"method\":\"recadam\",\"preset\":\"smoke\"}").get(0).id();
        String explicit = expand("{\"benchmark\":\"lama-ckl\",\"method\":\"recadam\",\"preset\":\"smoke\","
                + "\"params\":{\"anneal_k\":0.5}}").get(0).id();
        assertThat(explicit).as("a parameter given at its default is the same run").isEqualTo(implicit);
        String seed1 = expand("{\"benchmark\":\"lama-ckl\",\"method\":\"recadam\",\"preset\":\"smoke\",\"seed\":1}").get(0).id();
        assertThat(seed1).as("seed 1 is the default").isEqualTo(implicit);
        String other = expand("{\"benchmark\":\"lama-ckl\",\"method\":\"recadam\",\"preset\":\"smoke\",\"set\":{\"epochs\":5}}")
                .get(0).id();
        assertThat(other).isNotEqualTo(implicit);
    }

    @Test
    void subGridsInheritTheRestAndTheTrainAttentionFolderGoesToTaalmOnly() throws Exception {
        Files.createDirectories(tmp.resolve("ta"));
        List<SweepEntry> e = expand("""
                {"preset": "smoke", "seed": [1, 2], "ta": "ta",
                 "grids": [{"benchmark": "lama-ckl", "method": ["finetune", "taalm", "taalm+kadapter"]},
                           {"benchmark": "temporalwiki", "method": "finetune", "seed": 3}]}""");
        assertThat(e).hasSize(7);
        assertThat(e.get(0).params()).isEmpty();
        assertThat(e.get(2).params()).containsEntry("ta", tmp.resolve("ta").toString());
        assertThat(e.get(4).params()).containsEntry("taalm.ta", tmp.resolve("ta").toString());
        assertThat(e.get(6).benchmark()).isEqualTo("temporalwiki");
        assertThat(e.get(6).seed()).isEqualTo(3);
    }

    @Test
    void theExampleGridsExpandAndADryRunWritesThePapersArrayScript() throws Exception {
        Path examples = Path.of("..", "examples", "sweeps").toAbsolutePath().normalize();
        assertThat(Grid.read(examples.resolve("smoke.json")).expand(methods)).hasSize(4);
        assertThat(Grid.read(examples.resolve("paper-temporalwiki.json")).expand(methods)).hasSize(21);
        List<SweepEntry> lama = Grid.read(examples.resolve("paper-lama-ckl.json")).expand(methods);
        assertThat(lama).hasSize(30);
        assertThat(Files.readString(examples.resolve("../../README.md")))
                .as("the README shows the example as it is").contains(Files.readString(examples.resolve("paper-lama-ckl.json")));

        Cli.Run dry = Cli.ckl("sweep", "--grid", examples.resolve("paper-lama-ckl.json").toString(), "--out",
                tmp.resolve("paper").toString(), "--executor", "slurm", "--dry-run");
        assertThat(dry.code()).as(dry.err()).isZero();
        assertThat(dry.err()).contains("30 to submit", "nothing submitted");
        assertThat(dry.out().lines()).hasSize(30);
        String script = Files.readString(tmp.resolve("paper/.sweep/slurm/submit-001.sh"));
        assertThat(script).contains("#SBATCH --array=0-29%8", "#SBATCH --gres=gpu:1", "#SBATCH --time=24:00:00",
                "module load java/17", "--param ta=/models/ta-llama2/best", "--param taalm.ta=/models/ta-llama2/best",
                "--device gpu", "--model /models/Llama-2-7b-hf");
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
    }
}
