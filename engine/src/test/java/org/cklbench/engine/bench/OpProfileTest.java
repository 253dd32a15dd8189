package org.cklbench.engine.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class OpProfileTest {
    /**
     * A hand-made trace of one step lasting 100 µs: a matmul (the LM head) of 50 µs called inside a
     * linear of 60 µs, a LoRA product of 10, a fill of 20, a view of 5 inside it; 15 µs in no operation.
     */
    @Test
    void selfTimesNestAndGroupByKindAndPart() throws Exception {
        String trace = """
                [{"name":"aten::linear","ph":"X","ts":0,"dur":60,"tid":1,"shape":[[8,127,256],[32000,256]]},
                 {"name":"aten::bmm","ph":"X","ts":5,"dur":50,"tid":1,"shape":[[8,127,256],[8,256,32000]]},
                 {"name":"aten::mm","ph":"X","ts":60,"dur":10,"tid":1,"shape":[[1024,256],[256,8]]},
                 {"name":"aten::fill_","ph":"X","ts":70,"dur":15,"tid":1,"shape":[[8,127,32000],[]]},
                 {"name":"aten::view","ph":"X","ts":72,"dur":5,"tid":1,"shape":[[8,128],[]]},
                 {"name":"instant","ph":"i","ts":90,"tid":1}]""";
        ObjectNode s = OpProfile.summarize(new ObjectMapper().readTree(trace), 100e-6, 1,
                new OpProfile.Shapes(256, 32000, 8, 128));
        assertThat(s.get("in_operations_s").asDouble()).isEqualTo(85e-6, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(s.get("outside_operations_share").asDouble()).isEqualTo(0.15);
        // linear 60 less bmm 50 = 10 self; bmm 50; mm 10: 70 µs of matrix products
        assertThat(s.at("/share_by_kind/matrix products").asDouble()).isEqualTo(0.7);
        assertThat(s.at("/share_by_kind/fills, copies, casts, gathers").asDouble()).isEqualTo(0.1);
        assertThat(s.at("/share_by_kind/views (no data moved)").asDouble()).isEqualTo(0.05);
        assertThat(s.at("/matrix_products_share_by_part/LM head").asDouble()).isEqualTo(0.6);
        assertThat(s.at("/matrix_products_share_by_part/LoRA").asDouble()).isEqualTo(0.1);
        assertThat(s.at("/top_operations/0/op").asText()).startsWith("aten::bmm");
    }

    /** A softmax over the vocabulary is the loss's; one over key positions is attention's. */
    @Test
    void aSoftmaxIsTheLossesWhenItRunsOverTheVocabulary() throws Exception {
        String trace = """
                [{"name":"aten::_softmax","ph":"X","ts":0,"dur":40,"tid":1,"shape":[[1016,32000],[],[]]},
                 {"name":"aten::_softmax","ph":"X","ts":40,"dur":20,"tid":1,"shape":[[8,4,2,128,128],[],[]]}]""";
        ObjectNode s = OpProfile.summarize(new ObjectMapper().readTree(trace), 100e-6, 1,
                new OpProfile.Shapes(256, 32000, 8, 128));
        assertThat(s.at("/share_by_kind/softmax and loss over the vocabulary").asDouble()).isEqualTo(0.4);
        assertThat(s.at("/share_by_kind/attention softmax").asDouble()).isEqualTo(0.2);
    }
}
