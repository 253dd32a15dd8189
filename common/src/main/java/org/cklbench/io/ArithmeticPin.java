package org.cklbench.io;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The arithmetic every result of the suite is computed with, pinned so that the same commit gives the
 * same bytes on any x86-64 CPU with AVX2 (Intel or AMD, with or without AVX-512). The bundled libtorch
 * picks its kernels at load time from the CPU and from these variables, so they must be in the
 * environment before it loads: {@code ./ckl} exports them, {@code Main} starts itself again with them
 * when they are missing, and every process the suite starts gets them from {@link #apply} (overriding,
 * never inheriting, the parent's values).
 *
 * <p>Measured on a 2-core AMD EPYC with AVX-512 (docs/reproducibility.md): ATen's kernels
 * follow {@code ATEN_CPU_CAPABILITY} (default = avx512 there, avx2 and default each give other
 * weights after 3 training steps); oneMKL follows {@code MKL_CBWR} ({@code COMPATIBLE} gives other
 * weights; on an Intel CPU the unpinned default is its AVX-512 branch); the thread count changes
 * results (3 threads differ from 1 and 2). Nothing else read by libtorch changed a result.
 */
public final class ArithmeticPin {
    /**
     * Part of every cache key of a computed result (the world's base): bump it whenever {@link #ENV}
     * or {@link #THREADS} changes, so that nothing made under other arithmetic is reused.
     */
    public static final int VERSION = 1;

    /**
     * Intra-op threads of every computation whose result depends on it (pretraining, Train-Attention
     * training, runs and their evaluation). One, not the core count: it is the same on every machine, and
     * the suite's parallelism is several runs at once (quickstart workers, sweep workers), which on 2
     * cores gave 1.23x the throughput of one run on 2 threads.
     */
    public static final int THREADS = 1;

    /**
     * Intra-op threads of a world's base pretraining, a fixed count like {@link #THREADS} (the same on every
     * machine), recorded in the base's pretraining.json and part of its cache id when it is not 1. Pretraining
     * runs alone (nothing can start before the base exists), so 2 uses the second core of a 2-core machine:
     * on an idle 2-core VM (2026-12-07) {@code ckl bench train-step --full} at the quick base's shapes
     * (batch 64 of 96 tokens) takes 0.43-0.56 s a step on 2 threads against 0.79-0.81 s on 1 (the quick base:
     * 99 s against 206 s). The two counts give the same weights for the first steps and other ones over the
     * whole pretraining (the quick base's SHA-256 bbee8b88... on 2 threads, 01bc0b2f... on 1), which is why
     * the count is fixed rather than taken from the machine. On a machine that is busy with other work 2 threads can be far slower
     * than 1 (OpenMP's threads waiting on each other: 30x the CPU a step at load 20-26 on 2 cores), which is
     * why every other computation keeps 1 and runs side by side instead.
     */
    public static final int PRETRAIN_THREADS = 2;

    /** The variables, in the order they are exported. */
    public static final Map<String, String> ENV = env();

    private static Map<String, String> env() {
        Map<String, String> m = new LinkedHashMap<>();
        // oneMKL's conditional numerical reproducibility: its AVX2 code branch on every CPU (Intel's
        // AVX-512 and AMD's paths differ from it), STRICT so GEMMs do not depend on the thread count
        m.put("MKL_CBWR", "AVX2,STRICT");
        // the newer switch for the same choice; a parent's value would otherwise compete with MKL_CBWR
        m.put("MKL_ENABLE_INSTRUCTIONS", "AVX2");
        // ATen's own vectorised kernels (softmax, reductions, elementwise, Sleef's exp/log)
        m.put("ATEN_CPU_CAPABILITY", "avx2");
        // oneDNN (both names: the old one is still read) and its floating-point mode: no implicit bf16/tf32
        m.put("ONEDNN_MAX_CPU_ISA", "AVX2");
        m.put("DNNL_MAX_CPU_ISA", "AVX2");
        m.put("ONEDNN_DEFAULT_FPMATH_MODE", "STRICT");
        m.put("DNNL_DEFAULT_FPMATH_MODE", "STRICT");
        return java.util.Collections.unmodifiableMap(m);
    }

    /** Set by {@link #apply}: the environment was pinned on purpose (and by which version). */
    public static final String MARK = "CKL_ARITHMETIC_PIN";

    /**
     * Variables that would override or undo the pin in a child if inherited (MKL's old AMD switch, a
     * thread count from the parent); removed by {@link #apply}.
     */
    static final java.util.List<String> REMOVED = java.util.List.of("MKL_DEBUG_CPU_TYPE");

    private ArithmeticPin() {
    }

    /** The variables {@link #apply} removes. */
    public static java.util.List<String> removed() {
        return REMOVED;
    }

    /**
     * Pins {@code env} (a child process's environment, inherited from this one) in place, unless it
     * carries the opt-out; returns it.
     */
    public static Map<String, String> apply(Map<String, String> env) {
        if ("1".equals(env.get(OPT_OUT))) {
            return env;
        }
        REMOVED.forEach(env::remove);
        env.putAll(ENV);
        env.put(MARK, Integer.toString(VERSION));
        return env;
    }

    /** Whether {@code env} (a process's environment) holds every pinned value. */
    public static boolean inForce(Map<String, String> env) {
        return ENV.entrySet().stream().allMatch(e -> e.getValue().equals(env.get(e.getKey())))
                && REMOVED.stream().noneMatch(env::containsKey);
    }

    /**
     * Set to 1, the suite leaves the arithmetic as the machine chooses (measurements of what pinning
     * costs); every run made so records "unpinned" and is never expected to reproduce byte for byte.
     */
    public static final String OPT_OUT = "CKL_UNPINNED";

    /** Whether this process was asked to leave the arithmetic unpinned. */
    public static boolean optedOut() {
        return "1".equals(System.getenv(OPT_OUT));
    }

    /** Whether this process runs pinned. */
    public static boolean inForce() {
        return inForce(System.getenv());
    }

    /**
     * What this process's arithmetic is, for provenance: {@code pinned v1} followed by the variables, or
     * {@code unpinned} followed by whatever of them the environment holds. Two runs whose descriptions are
     * equal and start with "pinned" computed with the same kernels.
     */
    public static String describe(Map<String, String> env) {
        StringBuilder sb = new StringBuilder(inForce(env) ? "pinned v" + VERSION : "unpinned");
        Map<String, String> seen = new TreeMap<>();
        for (String k : ENV.keySet()) {
            if (env.get(k) != null) {
                seen.put(k, env.get(k));
            }
        }
        for (String k : REMOVED) {
            if (env.get(k) != null) {
                seen.put(k, env.get(k));
            }
        }
        seen.forEach((k, v) -> sb.append(' ').append(k).append('=').append(v));
        return sb.toString();
    }

    public static String describe() {
        return describe(System.getenv());
    }
}
