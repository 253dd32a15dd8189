package org.cklbench.core.benchmark;

/**
 * A meta-training example: a document, and a probe sentence about the fact the document carries whose
 * last span is the fact's object (what TAALM's Train-Attention learns to weight tokens for).
 */
public record MetaExample(String id, String document, String task, String object) {
}
