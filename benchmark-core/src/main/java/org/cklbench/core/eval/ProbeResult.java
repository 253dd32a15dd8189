package org.cklbench.core.eval;

/**
 * The outcome of one probe: the object's token ids, the model's argmax prediction for each under
 * teacher forcing, the fraction predicted exactly, and the mean NLL of the object tokens.
 */
public record ProbeResult(String uuid, long[] objectIds, long[] predictedIds, double accuracy, double objectNll) {
}
