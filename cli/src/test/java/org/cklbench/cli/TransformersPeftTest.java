package org.cklbench.cli;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.cklbench.core.train.CheckpointStore;
import org.cklbench.core.train.Trainer;
import org.cklbench.engine.lora.LoraAdapter;
import org.cklbench.engine.model.HfModels;
import org.cklbench.engine.model.LlamaModel;
import org.cklbench.runfolder.RunFolder;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.cklbench.cli.Cli.ckl;
import static org.cklbench.cli.Cli.onlyRun;

/**
 * What the README's "Bringing a method written in Python" shows a Hugging Face user, run with transformers and
 * PEFT: (1) {@code PeftModel.from_pretrained(base, dir)} loads the adapter folders a suite run writes
 * ({@code adapter-top-acc/} and the checkpoint's {@code adapter/}) and gives the suite's logits; (2)
 * examples/transformers-peft/finetune_hf.py, the external method written with transformers and PEFT, trains
 * through {@code --method external} to the metrics of the suite's own Finetune over LAMA-ckl's smoke protocol.
 * Needs a Python with torch, transformers, peft and safetensors: {@code $CKL_PEFT_PYTHON}, or
 * {@code -Dckl.peftPython}, or the virtual environment .ci/run makes ({@link #DEFAULT_VENV}); skips, saying so,
 * without one.
 */
class TransformersPeftTest {
    /** Where .ci/run creates the environment from the machine's local package mirror (outside the checkout). */
    static final Path DEFAULT_VENV = Path.of(System.getProperty("user.home"), ".cache", "ckl-bench", "venv-peft");
    /** The fixtures' bound for float32 logits: max abs difference over max abs logit (../shared/README.md). */
    static final double LOGITS_TOLERANCE = 1e-4;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path EXAMPLE = Path.of("..", "examples", "transformers-peft", "finetune_hf.py")
            .toAbsolutePath().normalize();
    private static final Path LOGITS_SCRIPT = Path.of("src", "test", "python", "peft_logits.py").toAbsolutePath();
    /** A rate at which To-Learn accuracy moves on the smoke world, so that a trained epoch is the Top-Acc one. */
    private static final String[] SETTINGS = {"--set", "lr=2e-2"};

    /** Shared by the tests: the suite's Finetune run is made once. */
    @TempDir
    static Path tmp;
    private static RunFolder javaRun;

    /** The Python to use, or a skipped test naming what is missing. */
    static String peftPython() throws Exception {
        String python = System.getenv("CKL_PEFT_PYTHON");
        if (python == null || python.isBlank()) {
            python = System.getProperty("ckl.peftPython", DEFAULT_VENV.resolve("bin").resolve("python").toString());
        }
        Assumptions.assumeTrue(Files.isExecutable(Path.of(python)), "skipped: no " + python + " (a Python with"
                + " torch, transformers, peft and safetensors: set CKL_PEFT_PYTHON, or let .ci/run create "
                + DEFAULT_VENV + ")");
        Process p = new ProcessBuilder(python, "-c", "import torch, transformers, peft, safetensors; print('torch',"
                + " torch.__version__, 'transformers', transformers.__version__, 'peft', peft.__version__,"
                + " 'safetensors', safetensors.__version__)").redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertThat(p.waitFor(300, TimeUnit.SECONDS)).isTrue();
        String[] lines = out.split("\\R");
        Assumptions.assumeTrue(p.exitValue() == 0, "skipped: " + python + " cannot import torch, transformers, peft"
                + " and safetensors (" + org.cklbench.text.Printable.of(lines[lines.length - 1]) + ")");
        System.out.println(python + ": " + out);
        return python;
    }

    @Test
    void theSuitesAdapterFoldersLoadInPeftAndGiveTheSuitesLogits() throws Exception {
        String python = peftPython();
        RunFolder run = javaRun();
        Path checkpoint = new CheckpointStore(run.dir().resolve(RunFolder.CHECKPOINT)).latest().orElseThrow()
                .resolve(Trainer.ADAPTER);
        Path top = run.dir().resolve(RunFolder.TOP_ADAPTER);
        for (Path adapter : new Path[] {top, checkpoint}) {
            Path base = Path.of(JSON.readTree(adapter.resolve("adapter_config.json").toFile())
                    .path("base_model_name_or_path").asText());
            Path expected = tmp.resolve("suite-logits-" + adapter.getFileName() + ".json");
            writeSuiteLogits(base, adapter, expected);
            JsonNode d = JSON.readTree(python(python, LOGITS_SCRIPT.toString(), base.toString(), adapter.toString(),
                    expected.toString()));
            System.out.printf("%s: PEFT vs the suite, logits: max abs difference %.3g, relative %.3g over %d"
                    + " positions%n", adapter, d.path("max_abs").asDouble(), d.path("max_rel").asDouble(),
                    d.path("positions").asInt());
            assertThat(d.path("max_rel").asDouble(Double.NaN)).as("%s", d).isLessThanOrEqualTo(LOGITS_TOLERANCE);
        }
    }

    /** transformers and PEFT against the fixtures' float64 golden logits: the yardstick above is itself right. */
    @Test
    void transformersAndPeftGiveTheGoldenLogits() throws Exception {
        String python = peftPython();
        Path expected = org.cklbench.testing.Shared.tinyLlama("expected.safetensors");
        Path model = org.cklbench.testing.Shared.tinyLlama("model");
        Path adapter = org.cklbench.testing.Shared.tinyLlama("lora-adapter");
        for (List<String> c : List.of(List.of(model.toString(), expected.toString(), "--tensor", "logits"),
                List.of(model.toString(), adapter.toString(), expected.toString(), "--tensor", "lora.logits"))) {
            List<String> cmd = new ArrayList<>(List.of(python, LOGITS_SCRIPT.toString()));
            cmd.addAll(c);
            JsonNode d = JSON.readTree(python(cmd.toArray(String[]::new)));
            System.out.printf("golden %s: max relative difference %.3g%n", c.get(c.size() - 1), d.path("max_rel").asDouble());
            assertThat(d.path("max_rel").asDouble(Double.NaN)).as("%s", d).isLessThanOrEqualTo(LOGITS_TOLERANCE);
        }
    }

    @Test
    void theTransformersPeftExampleAndTheSuitesFinetuneAgreeOverTheSmokeProtocol() throws Exception {
        String python = peftPython();
        RunFolder java = javaRun();
        String command = "'" + python + "' '" + EXAMPLE + "'";
        RunFolder hf = run("hf", List.of("--method", "external", "--param", "command=" + command));
        PythonFinetuneDifferentialTest.assertAgree("lama-ckl transformers+peft " + String.join(" ", SETTINGS), java, hf);
    }

    /**
     * What the smoke settings leave unused in the script: the TAALM authors' loss (EOS padding, every position),
     * gradient accumulation, warm-up and a linear schedule, weight decay.
     */
    @Test
    void theyAgreeWithTheReferenceLossAccumulationALinearScheduleAndWeightDecay() throws Exception {
        String python = peftPython();
        List<String> settings = List.of("--set", "loss=reference", "--set", "batch_size=4", "--set",
                "grad_accumulation=2", "--set", "schedule=linear", "--set", "warmup_ratio=0.1", "--set",
                "weight_decay=0.01");
        List<String> java = new ArrayList<>(List.of("--method", "finetune"));
        java.addAll(settings);
        List<String> hf = new ArrayList<>(List.of("--method", "external", "--param", "command='" + python + "' '"
                + EXAMPLE + "'"));
        hf.addAll(settings);
        PythonFinetuneDifferentialTest.assertAgree("lama-ckl transformers+peft " + String.join(" ", settings),
                run("java-variant", java), run("hf-variant", hf));
    }

    /** The suite's float32 logits of a few seeded, right-padded token sequences under {@code adapter}. */
    private static void writeSuiteLogits(Path base, Path adapter, Path out) throws Exception {
        int[] lengths = {7, 12, 16};
        int len = 16;
        Random random = new Random(7);
        try (LlamaModel model = HfModels.load(base, Device.cpu(), DataType.FLOAT32);
             LoraAdapter lora = LoraAdapter.load(adapter, model);
             NDManager m = NDManager.newBaseManager(Device.cpu())) {
            int vocab = model.config().vocabSize();
            long[] ids = new long[lengths.length * len];
            long[] mask = new long[ids.length];
            List<List<Long>> idRows = new ArrayList<>();
            List<List<Long>> maskRows = new ArrayList<>();
            for (int r = 0; r < lengths.length; r++) {
                List<Long> idRow = new ArrayList<>();
                List<Long> maskRow = new ArrayList<>();
                for (int t = 0; t < len; t++) {
                    boolean real = t < lengths[r];
                    ids[r * len + t] = !real ? 0 : t == 0 ? 1 : 3 + random.nextInt(vocab - 3);
                    mask[r * len + t] = real ? 1 : 0;
                    idRow.add(ids[r * len + t]);
                    maskRow.add(mask[r * len + t]);
                }
                idRows.add(idRow);
                maskRows.add(maskRow);
            }
            NDArray logits = model.logits(m.create(ids, new Shape(lengths.length, len)),
                    m.create(mask, new Shape(lengths.length, len)), lora);
            float[] flat = logits.toType(DataType.FLOAT32, false).toFloatArray();
            List<List<float[]>> rows = new ArrayList<>();
            for (int r = 0; r < lengths.length; r++) {
                List<float[]> row = new ArrayList<>();
                for (int t = 0; t < len; t++) {
                    float[] v = new float[vocab];
                    System.arraycopy(flat, (r * len + t) * vocab, v, 0, vocab);
                    row.add(v);
                }
                rows.add(row);
            }
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("input_ids", idRows);
            doc.put("attention_mask", maskRows);
            doc.put("logits", rows);
            JSON.writeValue(out.toFile(), doc);
        }
    }

    /** Runs a Python command; its standard output, or a failure showing the tail of its standard error. */
    private static String python(String... command) throws Exception {
        Path err = Files.createTempFile(tmp, "python", ".stderr");
        Process p = new ProcessBuilder(command).redirectError(err.toFile()).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertThat(p.waitFor(300, TimeUnit.SECONDS)).isTrue();
        if (p.exitValue() != 0) {
            String e = Files.readString(err);
            throw new AssertionError(String.join(" ", command) + " exited with " + p.exitValue() + ": "
                    + org.cklbench.text.Printable.of(e.substring(Math.max(0, e.length() - 3000))));
        }
        return out;
    }

    private static synchronized RunFolder javaRun() throws Exception {
        if (javaRun == null) {
            javaRun = run("java", List.of("--method", "finetune"));
        }
        return javaRun;
    }

    private static RunFolder run(String out, List<String> method) throws Exception {
        List<String> args = new ArrayList<>(List.of("run", "--benchmark", "lama-ckl", "--preset", "smoke",
                "--out", tmp.resolve(out).toString()));
        args.addAll(method);
        args.addAll(List.of(SETTINGS));
        Cli.Run r = ckl(args.toArray(String[]::new));
        assertThat(r.code()).as(r.err()).isZero();
        return new RunFolder(onlyRun(tmp.resolve(out)));
    }
}
