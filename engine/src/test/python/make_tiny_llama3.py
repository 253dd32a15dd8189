#!/usr/bin/env python3
"""Writes the tiny Llama-3-style golden fixture of engine/src/test/resources/fixtures/tiny-llama3/.

A random checkpoint in Hugging Face's layout (config.json + model.safetensors, F32) with what sets
Llama 3.1/3.2 apart: rope_theta 500000, rope_scaling of type llama3, grouped-query attention and
tied embeddings; and expected.safetensors with its logits computed in float64 by the independent
forward pass below, written after transformers' LlamaForCausalLM (rotate_half RoPE, RMSNorm, GQA,
SwiGLU) and _compute_llama3_parameters. original_max_position_embeddings is small (64) so that the
head dimension's 8 frequencies fall in all three llama3 bands: kept, blended and divided by factor.

Needs only PyTorch (Debian's python3-torch will do) and numpy; the test that reads the fixture needs
no Python. Run from anywhere: python3 make_tiny_llama3.py
"""
import json
import math
import os
import struct

import torch

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "resources", "fixtures", "tiny-llama3")

CONFIG = {
    "architectures": ["LlamaForCausalLM"],
    "model_type": "llama",
    "hidden_act": "silu",
    "attention_bias": False,
    "mlp_bias": False,
    "attention_dropout": 0.0,
    "vocab_size": 128,
    "hidden_size": 64,
    "intermediate_size": 96,
    "num_hidden_layers": 2,
    "num_attention_heads": 4,
    "num_key_value_heads": 2,
    "head_dim": 16,
    "rms_norm_eps": 1e-5,
    "rope_theta": 500000.0,
    "rope_scaling": {"rope_type": "llama3", "factor": 32.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0,
                     "original_max_position_embeddings": 64},
    "max_position_embeddings": 2048,
    "tie_word_embeddings": True,
    "bos_token_id": 1,
    "eos_token_id": 2,
    "torch_dtype": "float32",
}


def weights(gen):
    c = CONFIG
    d, inter, hd = c["hidden_size"], c["intermediate_size"], c["head_dim"]
    kv = c["num_key_value_heads"] * hd
    w = {"model.embed_tokens.weight": torch.randn(c["vocab_size"], d, generator=gen) * 0.5}
    for l in range(c["num_hidden_layers"]):
        p = f"model.layers.{l}."
        w[p + "input_layernorm.weight"] = 1 + 0.2 * torch.randn(d, generator=gen)
        w[p + "self_attn.q_proj.weight"] = torch.randn(d, d, generator=gen) * 0.3
        w[p + "self_attn.k_proj.weight"] = torch.randn(kv, d, generator=gen) * 0.3
        w[p + "self_attn.v_proj.weight"] = torch.randn(kv, d, generator=gen) * 0.3
        w[p + "self_attn.o_proj.weight"] = torch.randn(d, d, generator=gen) * 0.15
        w[p + "post_attention_layernorm.weight"] = 1 + 0.2 * torch.randn(d, generator=gen)
        w[p + "mlp.gate_proj.weight"] = torch.randn(inter, d, generator=gen) * 0.2
        w[p + "mlp.up_proj.weight"] = torch.randn(inter, d, generator=gen) * 0.2
        w[p + "mlp.down_proj.weight"] = torch.randn(d, inter, generator=gen) * 0.15
    w["model.norm.weight"] = 1 + 0.2 * torch.randn(d, generator=gen)
    # float32 is what is stored; the reference computes with exactly those values
    return {k: v.float() for k, v in w.items()}


def inv_freq(scaling):
    c = CONFIG
    hd = c["head_dim"]
    inv = 1.0 / (c["rope_theta"] ** (torch.arange(0, hd, 2, dtype=torch.float64) / hd))
    if scaling is None:
        return inv
    factor, low, high = scaling["factor"], scaling["low_freq_factor"], scaling["high_freq_factor"]
    old = scaling["original_max_position_embeddings"]
    low_wavelen, high_wavelen = old / low, old / high
    wavelen = 2 * math.pi / inv
    out = torch.where(wavelen > low_wavelen, inv / factor, inv)
    smooth = (old / wavelen - low) / (high - low)
    smoothed = (1 - smooth) * out / factor + smooth * out
    medium = (wavelen >= high_wavelen) & (wavelen <= low_wavelen)
    return torch.where(medium, smoothed, out)


def rotate_half(x):
    h = x.shape[-1] // 2
    return torch.cat((-x[..., h:], x[..., :h]), dim=-1)


def rms(x, g):
    return x / torch.sqrt((x * x).mean(-1, keepdim=True) + CONFIG["rms_norm_eps"]) * g


def forward(w, ids, scaling):
    """Logits [L, vocab] of one unpadded sequence, in float64."""
    c = CONFIG
    w = {k: v.double() for k, v in w.items()}
    n, hd, heads, kvh = len(ids), c["head_dim"], c["num_attention_heads"], c["num_key_value_heads"]
    x = w["model.embed_tokens.weight"][torch.tensor(ids)]
    ang = torch.arange(n, dtype=torch.float64)[:, None] * inv_freq(scaling)[None, :]
    emb = torch.cat((ang, ang), dim=-1)
    cos, sin = emb.cos(), emb.sin()
    causal = torch.triu(torch.full((n, n), float("-inf"), dtype=torch.float64), diagonal=1)
    for l in range(c["num_hidden_layers"]):
        p = f"model.layers.{l}."
        h = rms(x, w[p + "input_layernorm.weight"])
        q = (h @ w[p + "self_attn.q_proj.weight"].T).view(n, heads, hd).transpose(0, 1)
        k = (h @ w[p + "self_attn.k_proj.weight"].T).view(n, kvh, hd).transpose(0, 1)
        v = (h @ w[p + "self_attn.v_proj.weight"].T).view(n, kvh, hd).transpose(0, 1)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        k = k.repeat_interleave(heads // kvh, dim=0)
        v = v.repeat_interleave(heads // kvh, dim=0)
        att = torch.softmax(q @ k.transpose(1, 2) / math.sqrt(hd) + causal, dim=-1)
        o = (att @ v).transpose(0, 1).reshape(n, heads * hd)
        x = x + o @ w[p + "self_attn.o_proj.weight"].T
        h = rms(x, w[p + "post_attention_layernorm.weight"])
        g = h @ w[p + "mlp.gate_proj.weight"].T
        u = h @ w[p + "mlp.up_proj.weight"].T
        x = x + (torch.nn.functional.silu(g) * u) @ w[p + "mlp.down_proj.weight"].T
    head = w["lm_head.weight"] if "lm_head.weight" in w else w["model.embed_tokens.weight"]  # tied
    return rms(x, w["model.norm.weight"]) @ head.T


DTYPES = {torch.float32: "F32", torch.float64: "F64", torch.int64: "I64"}


def save_safetensors(path, tensors):
    header, blobs, offset = {}, [], 0
    for name in sorted(tensors):
        t = tensors[name].contiguous()
        data = t.numpy().tobytes()
        header[name] = {"dtype": DTYPES[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * (-len(h) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)


def main():
    gen = torch.Generator().manual_seed(20261207)
    w = weights(gen)
    rows = [[1, 17, 93, 5, 64, 22, 110, 3, 41, 77, 8, 120, 56, 9, 31, 100],
            [1, 45, 2, 88, 13, 70, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
            [1, 127, 60, 61, 62, 19, 4, 33, 99, 0, 0, 0, 0, 0, 0, 0]]
    lengths = [16, 6, 9]
    width, vocab = len(rows[0]), CONFIG["vocab_size"]
    ids = torch.tensor(rows, dtype=torch.int64)
    mask = torch.tensor([[1 if t < n else 0 for t in range(width)] for n in lengths], dtype=torch.int64)
    logits = torch.zeros(len(rows), width, vocab, dtype=torch.float64)
    plain = torch.zeros_like(logits)
    for b, n in enumerate(lengths):
        logits[b, :n] = forward(w, rows[b][:n], CONFIG["rope_scaling"])
        plain[b, :n] = forward(w, rows[b][:n], None)
    # the golden logits must tell llama3 scaling from none, or the test could not fail
    keep = mask.bool()
    diff = ((logits - plain)[keep].abs().max() / logits[keep].abs().max()).item()
    assert diff > 1e-2, diff
    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, "config.json"), "w") as f:
        json.dump(CONFIG, f, indent=2)
        f.write("\n")
    save_safetensors(os.path.join(OUT, "model.safetensors"), w)
    save_safetensors(os.path.join(OUT, "expected.safetensors"), {
        "input_ids": ids, "attention_mask": mask, "logits": logits,
        "logits_without_scaling": plain, "inv_freq": inv_freq(CONFIG["rope_scaling"])})
    print(f"wrote {OUT}; relative difference llama3 vs unscaled rope: {diff:.3g}")


if __name__ == "__main__":
    main()
