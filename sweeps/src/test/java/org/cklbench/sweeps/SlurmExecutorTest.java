package org.cklbench.sweeps;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.cklbench.core.run.RunRequest;
import org.cklbench.runfolder.RunConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The job-array and site scripts a sweep hands to sbatch. */
class SlurmExecutorTest {
    @TempDir
    Path tmp;

    private static SweepEntry entry(long seed, Map<String, String> params) {
        RunRequest r = new RunRequest("lama-ckl", "finetune", new TreeMap<>(params), "paper", Map.of("epochs", "30"),
                Path.of("/models/llama 2"), null, seed, "gpu", null, 0);
        ObjectNode settings = new ObjectMapper().createObjectNode().put("epochs", 30);
        return new SweepEntry(r, new RunConfig("lama-ckl", "1", "finetune", new TreeMap<>(params), "paper", settings, seed,
                "/models/llama 2", null, "gpu", "default", 0));
    }

    private SlurmExecutor executor(String slurmJson) throws Exception {
        SlurmResources res = SlurmResources.of(new ObjectMapper().readTree(slurmJson));
        return new SlurmExecutor(new SweepFolder(tmp.resolve("sweep")), new Slurm(), List.of("/opt/ckl/ckl"),
                Map.of("CKL_HOME", "/shared/ckl home"), res, null);
    }

    @Test
    void oneArrayTaskPerRunWithTheTasksResourcesAndThrottle() throws Exception {
        SlurmExecutor ex = executor("""
                {"gpus": 1, "cpus": 8, "mem": "64G", "time": "12:00:00", "partition": "gpu", "account": "lab",
                 "qos": "normal", "throttle": 4, "sbatch": ["--constraint=a100", "#SBATCH --exclusive"],
                 "setup": ["module load java/17"]}""");
        List<SweepEntry> todo = List.of(entry(1, Map.of()), entry(2, Map.of("note", "it's")));
        String s = ex.arrayScript(todo);
        assertThat(s).startsWith("#!/bin/bash\n");
        assertThat(s).contains("#SBATCH --array=0-1%4\n", "#SBATCH --requeue\n", "#SBATCH --open-mode=append\n",
                "#SBATCH --gres=gpu:1\n", "#SBATCH --cpus-per-task=8\n", "#SBATCH --mem=64G\n", "#SBATCH --time=12:00:00\n",
                "#SBATCH --partition=gpu\n", "#SBATCH --account=lab\n", "#SBATCH --qos=normal\n",
                "#SBATCH --constraint=a100\n", "#SBATCH --exclusive\n",
                "#SBATCH --output=" + tmp.resolve("sweep/.sweep/logs/%A_%a.out") + "\n",
                "export CKL_HOME='/shared/ckl home'\n", "module load java/17\n");
        // every #SBATCH line comes before the first command, or sbatch ignores it
        assertThat(s.lastIndexOf("#SBATCH")).isLessThan(s.indexOf("set -eo pipefail"));
        assertThat(s).contains("  0) # " + todo.get(0).id() + "\n    exec /opt/ckl/ckl run --benchmark lama-ckl");
        assertThat(s).contains("--model '/models/llama 2'", "--param 'note=it'\\''s'", "--set epochs=30", "--device gpu",
                "--run-dir " + tmp.resolve("sweep").resolve(todo.get(1).id()));
        assertThat(s).contains("  *) ");
    }

    @Test
    void theSiteScriptRebuildsTheLeaderboardWhereTheJobsAreCharged() throws Exception {
        String s = executor("{\"gpus\": 2, \"partition\": \"gpu\", \"account\": \"lab\"}").siteScript();
        assertThat(s).contains("#SBATCH --partition=gpu\n", "#SBATCH --account=lab\n",
                "exec /opt/ckl/ckl site build --runs " + tmp.resolve("sweep") + " --out " + tmp.resolve("sweep/site"));
        assertThat(s).as("the site build needs no GPU").doesNotContain("gres");
    }

    @Test
    void noThrottleMeansAPlainRangeAndScriptsAreNumberedPerSubmission() throws Exception {
        SlurmExecutor ex = executor("{}");
        assertThat(ex.arrayScript(List.of(entry(1, Map.of())))).contains("#SBATCH --array=0-0\n")
                .doesNotContain("--gres").doesNotContain("--time");
        Path[] p = ex.writeScripts(List.of(entry(1, Map.of())), 3);
        assertThat(p[0].getFileName().toString()).isEqualTo("submit-003.sh");
        assertThat(Files.readString(p[1])).contains("site build");
    }

    @Test
    void unknownOrMalformedResourcesAreRefused() {
        assertThatThrownBy(() -> executor("{\"gpu\": 1}")).hasMessageContaining("unknown key 'gpu'");
        assertThatThrownBy(() -> executor("{\"cpus\": \"eight\"}")).hasMessageContaining("cpus must be a whole number");
    }

    @Test
    void flagsOverrideTheGridAndAddOptions() throws Exception {
        SlurmResources r = SlurmResources.of(new ObjectMapper().readTree("{\"gpus\": 1, \"time\": \"1:00:00\", \"sbatch\": \"--a\"}"))
                .overriddenBy(null, null, null, "2:00:00", null, null, null, 3, List.of("--b"));
        assertThat(r.gpus()).isEqualTo(1);
        assertThat(r.time()).isEqualTo("2:00:00");
        assertThat(r.throttle()).isEqualTo(3);
        assertThat(r.sbatch()).containsExactly("--a", "--b");
    }

    /** A line break in a value would write a shell line into the job script. */
    @Test
    void controlCharactersInResourcesAreRefused() {
        assertThatThrownBy(() -> SlurmResources.of(new ObjectMapper().readTree(
                "{\"partition\": \"gpu\\ntouch /tmp/pwned\"}"))).hasMessageContaining("partition")
                .hasMessageContaining("\\u000a");
        assertThatThrownBy(() -> SlurmResources.of(new ObjectMapper().readTree("{\"time\": \"1:00:00 --wrap=x\"}")))
                .hasMessageContaining("one word");
        assertThatThrownBy(() -> SlurmResources.of(new ObjectMapper().readTree(
                "{\"setup\": [\"module load java/17\\rrm -rf ~\"]}"))).hasMessageContaining("setup line");
        assertThatThrownBy(() -> SlurmResources.of(new ObjectMapper().readTree("{\"sbatch\": [\"--constraint=a\\nb\"]}")))
                .hasMessageContaining("sbatch option");
        assertThatThrownBy(() -> SlurmResources.of(new ObjectMapper().readTree("{}"))
                .overriddenBy(null, null, null, null, "gpu\nx", null, null, null, List.of())).hasMessageContaining("partition");
    }

    /**
     * sbatch splits an #SBATCH line at spaces and ends it at '#': the log path of a sweep folder with
     * either once named a different file (or none), and its own '%' a filename pattern.
     */
    @Test
    void aSweepPathWithSpacesAndHashesIsQuotedForSbatch() throws Exception {
        Path odd = tmp.resolve("my sweeps #1 100%");
        SlurmExecutor ex = new SlurmExecutor(new SweepFolder(odd), new Slurm(), List.of("/opt/ckl/ckl"), Map.of(),
                SlurmResources.of(new ObjectMapper().readTree("{}")), null);
        String logs = odd.resolve(".sweep/logs").toString().replace("%", "%%");
        assertThat(ex.arrayScript(List.of(entry(1, Map.of())))).contains("#SBATCH --output=\"" + logs + "/%A_%a.out\"\n");
        assertThat(ex.siteScript()).contains("#SBATCH --output=\"" + logs + "/site-%j.out\"\n");
        Path quote = tmp.resolve("say \"hi\"");
        String s = new SlurmExecutor(new SweepFolder(quote), new Slurm(), List.of("/opt/ckl/ckl"), Map.of(),
                SlurmResources.of(new ObjectMapper().readTree("{}")), null).siteScript();
        assertThat(s).contains("#SBATCH --output=\"" + quote.toString().replace("\"", "\\\"") + "/.sweep/logs/site-%j.out\"\n");
    }
}
