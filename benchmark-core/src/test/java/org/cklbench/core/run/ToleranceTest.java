package org.cklbench.core.run;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ToleranceTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static List<String> compare(String recorded, String fresh, Tolerance t, Map<String, Double> maxDiff)
            throws Exception {
        List<String> problems = new ArrayList<>();
        Verifier.compareLine("line 1", JSON.readTree(recorded), JSON.readTree(fresh), t, maxDiff, problems);
        return problems;
    }

    @Test
    void eachMetricHasItsBoundIntegersAreExactAndNestedValuesAreCompared() throws Exception {
        Tolerance t = Tolerance.parse(List.of("1e-4", "to_learn_nll=1e-2"), 1e-6);
        Map<String, Double> maxDiff = new TreeMap<>();
        String a = "{\"epoch\":3,\"to_learn_acc\":0.5,\"to_learn_nll\":7.0,\"periods\":{\"0910\":{\"un\":4.0}},\"name\":\"x\"}";
        String b = "{\"epoch\":3,\"to_learn_acc\":0.50005,\"to_learn_nll\":7.005,\"periods\":{\"0910\":{\"un\":4.00001}},\"name\":\"x\"}";
        assertThat(compare(a, b, t, maxDiff)).isEmpty();
        assertThat(maxDiff.get("to_learn_nll")).isCloseTo(0.005, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(maxDiff).containsKey("un");

        List<String> problems = compare(a, b.replace("\"epoch\":3", "\"epoch\":4").replace("7.005", "7.02")
                .replace("0.50005", "0.5002").replace("\"x\"", "\"y\""), t, new TreeMap<>());
        assertThat(problems).hasSize(4).anySatisfy(p -> assertThat(p).contains("epoch recorded 3, now 4"))
                .anySatisfy(p -> assertThat(p).contains("to_learn_nll").contains("> tolerance 0.01"))
                .anySatisfy(p -> assertThat(p).contains("to_learn_acc").contains("> tolerance 1.0E-4"))
                .anySatisfy(p -> assertThat(p).contains("name recorded \"x\", now \"y\""));
        assertThat(compare(a, "{\"epoch\":3}", t, new TreeMap<>())).anySatisfy(p -> assertThat(p).contains("the recorded file has to_learn_acc"));
    }

    @Test
    void badTolerancesAreNamed() {
        assertThatThrownBy(() -> Tolerance.parse(List.of("abc"), 1e-4)).hasMessageContaining("not a number");
        assertThatThrownBy(() -> Tolerance.parse(List.of("-1"), 1e-4)).hasMessageContaining("0 or more");
        assertThatThrownBy(() -> Tolerance.parse(List.of("x=NaN"), 1e-4)).hasMessageContaining("tolerance of x");
        assertThatThrownBy(() -> Tolerance.parse(List.of("a b=1"), 1e-4)).hasMessageContaining("not a metric name");
        assertThat(Tolerance.parse(List.of(), 1e-4).of("anything")).isEqualTo(1e-4);
    }
}
