#!/usr/bin/python3
"""Checks llama.py against golden numerics, independently of the suite's Java engine:
../shared/fixtures/tiny-llama (float64 logits, NLL and LoRA gradients of an HF reference; its bf16 and
sharded copies) and the engine's tiny-llama3 fixture (rope_scaling llama3, tied embeddings). Tolerances
are ../shared/README.md's for float32 code. Prints SKIP lines for fixtures that are absent.

Usage: test_llama.py [SHARED_DIR] [TINY_LLAMA3_DIR]
"""
import json
import os
import sys
import tempfile

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True  # no __pycache__ in the method's folder
sys.path.insert(0, HERE)
import llama  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(HERE))
SHARED = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "..", "shared")
LLAMA3 = sys.argv[2] if len(sys.argv) > 2 else os.path.join(ROOT, "engine", "src", "test", "resources",
                                                             "fixtures", "tiny-llama3")
failures = []


def check(what, value, limit):
    ok = value < limit
    print(f"{'ok  ' if ok else 'FAIL'} {what}: {value:.3g} (limit {limit:g})")
    if not ok:
        failures.append(what)


def max_rel(got, want, keep):
    got, want = got.double(), want.double()
    return ((got - want)[keep].abs().max() / want[keep].abs().max()).item()


def tiny_llama(folder):
    e = llama.read_safetensors(os.path.join(folder, "expected.safetensors"))
    with open(os.path.join(folder, "expected.json")) as f:
        scalars = json.load(f)
    ids, mask = e["input_ids"], e["attention_mask"]
    keep = mask.bool()
    targets = mask[:, 1:].double()
    m = llama.Llama(os.path.join(folder, "model"), torch.float32)
    check("tiny-llama logits", max_rel(m.logits(ids), e["logits"], keep), 1e-4)
    nll = m.token_nll(ids).double()
    check("tiny-llama token NLL", max_rel(nll, e["token_nll"], targets.bool()), 1e-4)
    loss = (nll * targets).sum().item() / targets.sum().item()
    check("tiny-llama HF causal-LM loss", abs(loss / scalars["hf_causal_lm_loss"] - 1), 1e-5)
    for sub, key in (("model-sharded", "logits"), ("model-bf16", "logits_bf16_weights")):
        check(f"tiny-llama {sub} logits", max_rel(llama.Llama(os.path.join(folder, sub)).logits(ids), e[key], keep), 1e-4)

    m.lora = llama.Lora.load(os.path.join(folder, "lora-adapter"))
    check("LoRA scaling", abs(m.lora.scaling - scalars["lora.scaling"]), 1e-12)
    check("LoRA logits", max_rel(m.logits(ids), e["lora.logits"], keep), 1e-4)
    nll = m.token_nll(ids)
    w, t = e["token_weights"].float(), mask[:, 1:].float()
    weighted = ((w * t * nll).sum(1) / ((w * t).sum(1) + 1e-6)).mean()
    check("LoRA weighted loss", abs(weighted.item() / scalars["lora.weighted_loss"] - 1), 1e-5)
    weighted.backward()
    worst = 0.0
    for name, p in m.lora.named_parameters():
        g = e["grad." + name].double()
        worst = max(worst, ((p.grad.double() - g).norm() / g.norm()).item())
    check("LoRA gradients (worst tensor, relative in norm)", worst, 1e-3)

    # the adapter written back is the one read: same config, same tensor names and bits
    with tempfile.TemporaryDirectory() as tmp:
        m.lora.save(tmp, base_model="../model")
        again = llama.Lora.load(tmp)
        same = all(torch.equal(a, b) for (_, a), (_, b) in zip(again.named_parameters(), m.lora.named_parameters()))
        names = [n for n, _ in again.named_parameters()] == [n for n, _ in m.lora.named_parameters()]
        check("adapter written and read back differs", 0.0 if same and names else 1.0, 0.5)


def tiny_llama3(folder):
    e = llama.read_safetensors(os.path.join(folder, "expected.safetensors"))
    m = llama.Llama(folder, torch.float32)
    if "inv_freq" in e:
        check("tiny-llama3 llama3 inverse frequencies", max_rel(m.inv_freq, e["inv_freq"], torch.ones_like(m.inv_freq, dtype=torch.bool)), 1e-12)
    keep = e["attention_mask"].bool()
    check("tiny-llama3 logits (rope_scaling llama3, tied embeddings)", max_rel(m.logits(e["input_ids"]), e["logits"], keep), 1e-4)
    wrong = max_rel(m.logits(e["input_ids"]), e["logits_without_scaling"], keep)
    check("tiny-llama3: 1 / (relative distance to the logits of unscaled RoPE), the fixture telling scalings apart", 1 / wrong, 1e2)


for name, folder, test in (("../shared/fixtures/tiny-llama", os.path.join(SHARED, "fixtures", "tiny-llama"), tiny_llama),
                           ("tiny-llama3", LLAMA3, tiny_llama3)):
    if os.path.isfile(os.path.join(folder, "expected.safetensors")):
        test(folder)
    else:
        print(f"SKIP {name}: {folder} is absent")
if failures:
    print(f"{len(failures)} check(s) failed: {', '.join(failures)}")
    sys.exit(1)
print("all checks passed")
