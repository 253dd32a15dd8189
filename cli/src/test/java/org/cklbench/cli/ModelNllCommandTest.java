package org.cklbench.cli;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.cklbench.testing.Numerics;
import org.cklbench.testing.Shared;
import org.cklbench.testing.TinyModels;
import org.cklbench.engine.safetensors.SafetensorsFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ModelNllCommandTest {
    @TempDir
    Path tmp;

    record Run(int code, String out, String err) {
    }

    static Run ckl(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void nllOfUnpaddedSequencesMatchesTheReference() throws Exception {
        SafetensorsFile expected = SafetensorsFile.open(Shared.tinyLlama("expected.safetensors"));
        long[] ids;
        long[] mask;
        float[] want;
        try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
            ids = expected.read("input_ids", m).toLongArray();
            mask = expected.read("attention_mask", m).toLongArray();
            want = expected.read("token_nll", m).toFloatArray();
        }
        List<String> lines = new ArrayList<>();
        int[] lengths = new int[3];
        for (int r = 0; r < 3; r++) {
            StringBuilder sb = new StringBuilder("{\"input_ids\":[");
            for (int t = 0; t < 12 && mask[r * 12 + t] == 1; t++) {
                sb.append(t == 0 ? "" : ",").append(ids[r * 12 + t]);
                lengths[r]++;
            }
            lines.add(sb.append("]}").toString());
        }
        Path in = tmp.resolve("in.jsonl");
        Path out = tmp.resolve("out.jsonl");
        Files.write(in, lines);
        for (String path : List.of("model", "model-sharded")) {
            Run run = ckl("model", "nll", "--model", Shared.tinyLlama(path).toString(), "--input", in.toString(),
                    "--out", out.toString(), "--batch-size", "2");
            assertThat(run.code()).as(run.err()).isZero();
            List<String> got = Files.readAllLines(out);
            assertThat(got).hasSize(3);
            double[] actual = new double[33];
            double[] reference = new double[33];
            boolean[] keep = new boolean[33];
            for (int r = 0; r < 3; r++) {
                JsonNode nll = new ObjectMapper().readTree(got.get(r)).get("token_nll");
                assertThat(nll.size()).isEqualTo(lengths[r] - 1);
                for (int t = 0; t < nll.size(); t++) {
                    actual[r * 11 + t] = nll.get(t).asDouble();
                    reference[r * 11 + t] = want[r * 11 + t];
                    keep[r * 11 + t] = true;
                }
            }
            assertThat(Numerics.maxRel(actual, reference, keep)).isLessThan(1e-4);
        }
    }

    @Test
    void aMalformedLineIsReportedWithFileAndLineNumber() throws Exception {
        Path in = tmp.resolve("bad.jsonl");
        Files.write(in, List.of("{\"input_ids\":[1,2,3]}", "{\"input_ids\":[1,2,", "{\"input_ids\":[1]}"));
        Path model = TinyModels.save(tmp.resolve("model"), 5); // random: only the input is checked
        Run run = ckl("model", "nll", "--model", model.toString(), "--input", in.toString(),
                "--out", tmp.resolve("o.jsonl").toString());
        assertThat(run.code()).isEqualTo(1);
        assertThat(run.err()).contains("bad.jsonl:2").contains("malformed JSON");
        assertThat(tmp.resolve("o.jsonl")).doesNotExist();
    }

    @Test
    void anIdOutsideTheVocabularyIsNamed() throws Exception {
        Path in = tmp.resolve("vocab.jsonl");
        Files.write(in, List.of("{\"input_ids\":[1,2,3]}", "{\"input_ids\":[1,9999]}"));
        Path model = TinyModels.save(tmp.resolve("model"), 5); // random: only the input is checked
        Run run = ckl("model", "nll", "--model", model.toString(), "--input", in.toString(),
                "--out", tmp.resolve("o.jsonl").toString());
        assertThat(run.err()).contains("vocab.jsonl:2").contains("input_ids[1] = 9999").contains("outside the vocabulary");
    }
}
