package org.cklbench.runfolder;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/**
 * One probe at one evaluation, a line of {@code predictions/<evaluation>.jsonl}: which split it
 * belongs to, the fact, the model's argmax prediction of the object under teacher forcing, the
 * fraction of object tokens predicted exactly and the mean NLL of the object tokens.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"split", "uuid", "subject", "relation", "object", "predicted", "accuracy", "object_nll",
    "object_ids", "predicted_ids"})
public record Prediction(String split, String uuid, String subject, String relation, String object, String predicted,
                         double accuracy, double objectNll, long[] objectIds, long[] predictedIds) {
}
