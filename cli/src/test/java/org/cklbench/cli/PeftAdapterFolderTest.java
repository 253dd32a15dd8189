package org.cklbench.cli;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.cklbench.core.train.CheckpointStore;
import org.cklbench.core.train.Trainer;
import org.cklbench.engine.lora.LoraAdapter;
import org.cklbench.engine.model.HfModels;
import org.cklbench.engine.model.LlamaModel;
import org.cklbench.engine.safetensors.SafetensorsFile;
import org.cklbench.runfolder.RunFolder;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.cklbench.cli.Cli.ckl;
import static org.cklbench.cli.Cli.onlyRun;

/**
 * The suite's own runs leave real PEFT adapter folders: in the newest checkpoint and at the Top-Acc
 * epoch, read back here as the suite reads an adapter and as PEFT would (Python's json and a safetensors
 * header reader, src/test/python/read_peft_adapter.py).
 */
class PeftAdapterFolderTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    @Test
    void aFinetuneRunWritesPeftFoldersAtTheCheckpointAndTheTopAccEpoch() throws Exception {
        Cli.Run r = ckl("run", "--benchmark", "lama-ckl", "--method", "finetune", "--preset", "smoke",
                "--set", "lr=2e-2", "--out", tmp.toString());
        assertThat(r.code()).as(r.err()).isZero();
        Path run = onlyRun(tmp);
        Path gen = new CheckpointStore(run.resolve(RunFolder.CHECKPOINT)).latest().orElseThrow();
        Path checkpointAdapter = gen.resolve(Trainer.ADAPTER);
        JsonNode training = JSON.readTree(run.resolve("run.json").toFile()).path("training");
        assertThat(training.path("peft_adapters").path("top").asText()).startsWith(RunFolder.TOP_ADAPTER);

        JsonNode summary = JSON.readTree(run.resolve("summary.json").toFile());
        int top = summary.findValue("epoch").asInt();
        // lr 2e-2 learns (measured: To-Learn accuracy 0.125 at epoch 4, 0 before), so a trained epoch is the Top-Acc one
        assertThat(top).as("the Top-Acc epoch of %s", summary).isPositive();
        Path topAdapter = run.resolve(RunFolder.TOP_ADAPTER);
        assertThat(topAdapter.resolve("adapter_config.json")).isRegularFile();
        assertThat(topAdapter.resolve(LoraAdapter.WEIGHTS_FILE)).isRegularFile();
        try (var s = Files.list(run)) {
            assertThat(s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("." + RunFolder.TOP_ADAPTER))).as("leftovers").isEmpty();
        }

        JsonNode cfg = JSON.readTree(checkpointAdapter.resolve("adapter_config.json").toFile());
        assertThat(cfg.path("peft_type").asText()).isEqualTo("LORA");
        assertThat(cfg.path("task_type").asText()).isEqualTo("CAUSAL_LM");
        assertThat(cfg.path("r").asInt()).isEqualTo(4);
        assertThat(cfg.path("lora_alpha").asDouble()).isEqualTo(8.0);
        assertThat(cfg.path("inference_mode").asBoolean()).isTrue();
        Path base = Path.of(cfg.path("base_model_name_or_path").asText());
        assertThat(base.resolve("config.json")).isRegularFile();

        // the checkpoint's adapter holds exactly the trainables the checkpoint resumes from, by PEFT name
        SafetensorsFile trainable = SafetensorsFile.open(gen.resolve("trainable.safetensors"));
        SafetensorsFile peft = SafetensorsFile.open(checkpointAdapter.resolve(LoraAdapter.WEIGHTS_FILE));
        assertThat(peft.entries().keySet()).isEqualTo(trainable.entries().keySet())
                .contains("base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight");
        try (LlamaModel model = HfModels.load(base, Device.cpu(), DataType.FLOAT32);
             NDManager m = NDManager.newBaseManager(Device.cpu())) {
            for (String name : trainable.entries().keySet()) {
                NDArray a = trainable.read(name, m);
                NDArray b = peft.read(name, m);
                assertThat(Arrays.equals(a.toFloatArray(), b.toFloatArray())).as(name).isTrue();
            }
            for (Path dir : new Path[] {checkpointAdapter, topAdapter}) {
                try (LoraAdapter loaded = LoraAdapter.load(dir, model)) {
                    assertThat(loaded.parameters()).hasSize(trainable.entries().size());
                }
            }
        }

        for (Path dir : new Path[] {checkpointAdapter, topAdapter}) {
            String out = python(dir, base);
            assertThat(JSON.readTree(out).path("tensors").asInt()).isEqualTo(trainable.entries().size());
        }
    }

    /** Runs read_peft_adapter.py with python3 from the PATH (any Python 3: it needs only the standard library). */
    private static String python(Path adapter, Path base) throws Exception {
        Path script = Path.of("src", "test", "python", "read_peft_adapter.py").toAbsolutePath();
        Process p;
        try {
            p = new ProcessBuilder("python3", script.toString(), adapter.toString(), base.toString())
                    .redirectErrorStream(true).start();
        } catch (java.io.IOException e) {
            Assumptions.abort("skipped the Python half: no python3 on the PATH (" + e.getMessage() + ")");
            return null;
        }
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("read_peft_adapter.py on %s: %s", adapter, out).isZero();
        return out.strip();
    }
}
