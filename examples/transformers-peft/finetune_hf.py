#!/usr/bin/env python3
"""The suite's Finetune as a CKL Bench external method (protocol ckl-external/1,
docs/external-methods.md), written with Hugging Face transformers and PEFT.
pip install torch transformers peft safetensors

One call trains one stage: the suite passes request.json's path last. The same request file in and the
same adapter folder out as examples/python-finetune, step for step the same training (the suite's test
TransformersPeftTest runs it over the smoke protocol against the suite's own Finetune).
"""
import json, math, os, sys
import torch
from safetensors.torch import load_file, save_file
from transformers import AutoModelForCausalLM
from peft import PeftModel

req = json.load(open(sys.argv[-1]))
if req["protocol"] != "ckl-external/1":
    sys.exit(f"finetune_hf.py: protocol {req['protocol']!r}, this script speaks ckl-external/1")
s, sched = req["settings"], req["schedule"]
torch.manual_seed(req["seed"] * 1_000_003 + req["stage"])
base = AutoModelForCausalLM.from_pretrained(req["base_model"], dtype=torch.float32)
model = PeftModel.from_pretrained(base, req["adapter_in"], is_trainable=True)  # the suite's or the last stage's
names, params = zip(*[(n, p) for n, p in model.named_parameters() if p.requires_grad])
opt = torch.optim.AdamW(params, lr=s["lr"], betas=(0.9, 0.999), eps=1e-8, weight_decay=s["weight_decay"])
moments = os.path.join(req["state_in"], "optimizer.safetensors")
step = 0
if not sched["fresh_optimizer"] and os.path.exists(moments):          # carry AdamW across stages
    saved, step = load_file(moments), json.load(open(os.path.join(req["state_in"], "state.json")))["optimizer_step"]
    for n, p in zip(names, params):
        opt.state[p] = {"step": torch.tensor(float(step)), "exp_avg": saved["exp_avg." + n],
                        "exp_avg_sq": saved["exp_avg_sq." + n]}

docs = [json.loads(l)["input_ids"] for l in open(req["documents"])]   # already in the protocol's order
bs, accum = s["batch_size"], s["grad_accumulation"]
micro_rows = -(-bs // accum)
reference = s.get("loss") == "reference"  # the TAALM authors' loss: EOS padding, every position counts
pad = base.config.eos_token_id if reference else 0
assert -(-len(docs) // bs) == sched["steps_in_stage"]

def lr_at(i):                                                          # the suite's schedule
    w, n = sched["warmup_steps"], sched["segment_steps"]
    if w and i < w: return s["lr"] * (i + 1) / w
    if s["schedule"] == "constant" or n <= w: return s["lr"]
    p = min(1.0, (i - w) / (n - w))
    return s["lr"] * ((1 - p) if s["schedule"] == "linear" else 0.5 * (1 + math.cos(math.pi * p)))

model.train()
log, losses = open(os.path.join(req["state_out"], "steps.jsonl"), "w"), []
for j in range(sched["steps_in_stage"]):
    rows = docs[j * bs:(j + 1) * bs]
    parts = [rows[m:m + micro_rows] for m in range(0, len(rows), micro_rows)]
    total = 0.0
    for part in parts:
        n = max(map(len, part))
        ids = torch.tensor([r + [pad] * (n - len(r)) for r in part]).to(model.device)
        mask = torch.tensor([[1] * len(r) + [0] * (n - len(r)) for r in part]).to(model.device)
        labels = ids if reference else ids.masked_fill(mask == 0, -100)  # -100: not a target
        loss = model(input_ids=ids, attention_mask=mask, labels=labels).loss / len(parts)
        loss.backward()                                                # gradients add up over micro-batches
        total += loss.item()
    if s["clip_norm"] > 0:
        torch.nn.utils.clip_grad_norm_(params, s["clip_norm"])
    for g in opt.param_groups:
        g["lr"] = lr_at(sched["steps_before_stage"] + j)
    opt.step(); opt.zero_grad(); step += 1
    losses.append(total)
    log.write(json.dumps({"step": j + 1, "loss": total}) + "\n")
log.close()

model.save_pretrained(req["adapter_out"])                              # adapter_config.json + adapter_model.safetensors
save_file({f"{k}.{n}": opt.state[p][k].contiguous() for n, p in zip(names, params) for k in ("exp_avg", "exp_avg_sq")},
          os.path.join(req["state_out"], "optimizer.safetensors"))
json.dump({"optimizer_step": step}, open(os.path.join(req["state_out"], "state.json"), "w"))
json.dump({"train_loss": sum(losses) / len(losses)}, open(req["result"], "w"))  # the metrics line's train_loss
