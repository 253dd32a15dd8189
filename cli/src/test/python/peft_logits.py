#!/usr/bin/env python3
"""Loads a PEFT adapter folder over its base model with transformers and PEFT, as the README's
"Bringing a method written in Python" shows, and compares the logits with the ones given.

Usage: peft_logits.py BASE_DIR ADAPTER_DIR EXPECTED
  EXPECTED is either a JSON file {"input_ids": [[...]], "attention_mask": [[...]], "logits": [[[...]]]}
  (right-padded rows; the suite's logits) or a safetensors file holding input_ids, attention_mask and the
  tensor named by --tensor (../shared/fixtures/tiny-llama/expected.safetensors: float64 golden logits).
Prints one JSON line {"max_abs", "max_rel", "positions"}: the largest absolute difference over attended
positions, and that over the largest absolute expected logit (the fixtures' README defines "relative" so).
"""
import argparse
import json

import torch
from safetensors.torch import load_file
from transformers import AutoModelForCausalLM
from peft import PeftModel

ap = argparse.ArgumentParser()
ap.add_argument("base")
ap.add_argument("adapter", nargs="?", help="omit for the base model alone")
ap.add_argument("expected")
ap.add_argument("--tensor", default="logits")
a = ap.parse_args()

if a.expected.endswith(".safetensors"):
    t = load_file(a.expected)
    ids, mask, want = t["input_ids"].long(), t["attention_mask"].long(), t[a.tensor].double()
else:
    with open(a.expected) as f:
        e = json.load(f)
    ids, mask = torch.tensor(e["input_ids"]), torch.tensor(e["attention_mask"])
    want = torch.tensor(e["logits"], dtype=torch.float64)

# the README's lines
base = AutoModelForCausalLM.from_pretrained(a.base)
model = PeftModel.from_pretrained(base, a.adapter) if a.adapter else base

model.eval()
with torch.no_grad():
    got = model(input_ids=ids, attention_mask=mask).logits.double()
if got.shape != want.shape:
    raise SystemExit(f"logits of shape {list(got.shape)}, expected {list(want.shape)}")
on = mask.bool()
diff = (got - want).abs()[on]
max_abs = diff.max().item()
print(json.dumps({"max_abs": max_abs, "max_rel": max_abs / want[on].abs().max().item(),
                  "positions": int(on.sum())}))
