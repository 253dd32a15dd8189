package org.cklbench.engine.model;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.List;

/**
 * The {@code rope_scaling} of a Hugging Face Llama config: how the rotary inverse frequencies
 * θ^(−2i/d) are rescaled. Implemented as transformers' {@code modeling_rope_utils} computes them:
 * none or {@code default} (unchanged), {@code linear} (all divided by {@code factor}) and
 * {@code llama3} (Llama 3.1/3.2: long wavelengths divided by {@code factor}, short ones kept, a
 * smooth blend between). Other types (dynamic, yarn, longrope, ...) change the computation in ways
 * not implemented here and are refused by {@link #parse}.
 *
 * @param type             default, linear or llama3
 * @param factor           1 for default
 * @param lowFreqFactor    llama3 only (else 0)
 * @param highFreqFactor   llama3 only (else 0)
 * @param originalContext  llama3's {@code original_max_position_embeddings} (else 0)
 */
public record RopeScaling(String type, double factor, double lowFreqFactor, double highFreqFactor,
                          int originalContext) {

    public static final RopeScaling NONE = new RopeScaling("default", 1.0, 0, 0, 0);

    /** The scaling {@code node} describes; each problem is added to {@code problems} (then NONE is returned). */
    static RopeScaling parse(JsonNode node, List<String> problems) {
        if (node == null || node.isNull()) {
            return NONE;
        }
        if (!node.isObject()) {
            problems.add("rope_scaling " + node + " must be an object or null");
            return NONE;
        }
        // transformers reads "rope_type", and the older "type" where that is absent
        String type = node.path("rope_type").asText(node.path("type").asText(""));
        switch (type) {
            case "default":
                return NONE;
            case "linear": {
                double factor = positive(node, "factor", "linear", problems);
                return Double.isNaN(factor) ? NONE : new RopeScaling("linear", factor, 0, 0, 0);
            }
            case "llama3": {
                int before = problems.size();
                double factor = positive(node, "factor", "llama3", problems);
                double low = positive(node, "low_freq_factor", "llama3", problems);
                double high = positive(node, "high_freq_factor", "llama3", problems);
                JsonNode ctx = node.get("original_max_position_embeddings");
                if (ctx == null || !ctx.canConvertToInt() || ctx.asInt() <= 0) {
                    problems.add("rope_scaling of type llama3 needs a positive whole 'original_max_position_embeddings'"
                            + (ctx == null ? "" : ", not " + ctx));
                }
                if (problems.size() == before && !(high > low)) {
                    // equal factors would divide by zero in the blend below
                    problems.add("rope_scaling of type llama3 needs high_freq_factor (" + high
                            + ") above low_freq_factor (" + low + ")");
                }
                return problems.size() == before ? new RopeScaling("llama3", factor, low, high, ctx.asInt()) : NONE;
            }
            default:
                problems.add("rope_scaling type '" + type + "' (implemented: none, 'default', 'linear', 'llama3')");
                return NONE;
        }
    }

    private static double positive(JsonNode node, String field, String type, List<String> problems) {
        JsonNode v = node.get(field);
        if (v == null || !v.isNumber() || !Double.isFinite(v.asDouble()) || v.asDouble() <= 0) {
            problems.add("rope_scaling of type " + type + " needs a positive '" + field + "'"
                    + (v == null ? "" : ", not " + v));
            return Double.NaN;
        }
        return v.asDouble();
    }

    /**
     * The {@code headDim / 2} inverse frequencies of rotary embeddings with base {@code theta}: the
     * angle of pair i at position p is p · invFreq[i] (Hugging Face's rotate-half layout pairs i with
     * i + headDim/2).
     */
    public double[] inverseFrequencies(double theta, int headDim) {
        double[] inv = new double[headDim / 2];
        for (int i = 0; i < inv.length; i++) {
            inv[i] = 1.0 / StrictMath.pow(theta, (2.0 * i) / headDim);
        }
        if (type.equals("linear")) {
            for (int i = 0; i < inv.length; i++) {
                inv[i] /= factor;
            }
        } else if (type.equals("llama3")) {
            // wavelengths shorter than originalContext / highFreqFactor are kept, longer than
            // originalContext / lowFreqFactor divided by factor, and those between blended linearly in
            // originalContext / wavelength (transformers' _compute_llama3_parameters)
            double lowFreqWavelen = originalContext / lowFreqFactor;
            double highFreqWavelen = originalContext / highFreqFactor;
            for (int i = 0; i < inv.length; i++) {
                double wavelen = 2 * Math.PI / inv[i];
                if (wavelen > lowFreqWavelen) {
                    inv[i] /= factor;
                } else if (wavelen >= highFreqWavelen) {
                    double smooth = (originalContext / wavelen - lowFreqFactor) / (highFreqFactor - lowFreqFactor);
                    inv[i] = (1 - smooth) * inv[i] / factor + smooth * inv[i];
                }
            }
        }
        return inv;
    }
}
