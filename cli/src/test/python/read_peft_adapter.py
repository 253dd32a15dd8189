#!/usr/bin/env python3
"""Reads a PEFT LoRA adapter folder as PEFT's PeftModel.from_pretrained would, with nothing but the
standard library: adapter_config.json through json (the fields LoraConfig needs), and
adapter_model.safetensors through its header (8-byte little-endian length, JSON), checking every tensor's
name, dtype, shape and byte range against the config and the base model's config.json.

Usage: read_peft_adapter.py ADAPTER_DIR BASE_MODEL_DIR
Prints one JSON line (r, lora_alpha, targets, tensors) and exits 0, or prints the problem and exits 1.
"""
import json
import os
import re
import struct
import sys

adapter, base = sys.argv[1], sys.argv[2]
problems = []
with open(os.path.join(adapter, "adapter_config.json")) as f:
    cfg = json.load(f)
with open(os.path.join(base, "config.json")) as f:
    model = json.load(f)
want = {"peft_type": "LORA", "task_type": "CAUSAL_LM", "bias": "none", "fan_in_fan_out": False}
for k, v in want.items():
    if cfg.get(k) != v:
        problems.append(f"adapter_config.json: {k} is {cfg.get(k)!r}, PEFT needs {v!r}")
for k in ("r", "lora_alpha", "lora_dropout", "target_modules", "base_model_name_or_path", "inference_mode"):
    if k not in cfg:
        problems.append(f"adapter_config.json: no {k}")
r = cfg.get("r")
targets = cfg.get("target_modules") or []

path = os.path.join(adapter, "adapter_model.safetensors")
size = os.path.getsize(path)
with open(path, "rb") as f:
    (n,) = struct.unpack("<Q", f.read(8))
    header = json.loads(f.read(n).decode("utf-8"))
header.pop("__metadata__", None)
hidden, inter = model["hidden_size"], model["intermediate_size"]
heads = model["num_attention_heads"]
kv = model.get("num_key_value_heads", heads) * (hidden // heads)
dims = {"q_proj": (hidden, hidden), "k_proj": (hidden, kv), "v_proj": (hidden, kv), "o_proj": (hidden, hidden),
        "gate_proj": (hidden, inter), "up_proj": (hidden, inter), "down_proj": (inter, hidden)}
expected = {}
for layer in range(model["num_hidden_layers"]):
    for part, leaf in [("self_attn", m) for m in ("q_proj", "k_proj", "v_proj", "o_proj")] + \
                      [("mlp", m) for m in ("gate_proj", "up_proj", "down_proj")]:
        if leaf in targets:
            d_in, d_out = dims[leaf]
            name = f"base_model.model.model.layers.{layer}.{part}.{leaf}"
            expected[name + ".lora_A.weight"] = [r, d_in]
            expected[name + ".lora_B.weight"] = [d_out, r]
if set(header) != set(expected):
    problems.append(f"tensor names differ from PEFT's: extra {sorted(set(header) - set(expected))[:3]},"
                    f" missing {sorted(set(expected) - set(header))[:3]}")
data = size - 8 - n
for name, e in header.items():
    if not re.fullmatch(r"base_model\.model\.model\.layers\.\d+\.(self_attn|mlp)\.\w+_proj\.lora_[AB]\.weight", name):
        problems.append(f"{name}: not a PEFT LoRA tensor name")
    if e["dtype"] != "F32":
        problems.append(f"{name}: dtype {e['dtype']}")
    if name in expected and e["shape"] != expected[name]:
        problems.append(f"{name}: shape {e['shape']}, the config and the model imply {expected[name]}")
    start, end = e["data_offsets"]
    count = 1
    for s in e["shape"]:
        count *= s
    if not (0 <= start <= end <= data) or end - start != 4 * count:
        problems.append(f"{name}: data_offsets {start}..{end} do not hold its shape")
if problems:
    print("\n".join(problems))
    sys.exit(1)
print(json.dumps({"r": r, "lora_alpha": cfg["lora_alpha"], "targets": targets, "tensors": len(header)}))
