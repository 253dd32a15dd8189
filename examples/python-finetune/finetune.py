#!/usr/bin/python3
"""LoRA fine-tuning of a Llama checkpoint in plain PyTorch, as an external method of CKL Bench
(protocol ckl-external/1, docs/external-methods.md).

Usage: finetune.py REQUEST_JSON     (the suite passes the request file last, and as $CKL_REQUEST)

One call trains one stage: it reads the request, starts from the adapter `adapter_in` and the optimiser
state `state_in`, takes the documents in the order of documents.jsonl, and writes a PEFT adapter to
`adapter_out` and the optimiser state (safetensors, never pickle) to `state_out`. It does what the
suite's own Finetune does, step for step: batching, the loss, LoRA scaling, clipping, AdamW and the
learning-rate schedule, so that the two give the same metrics (the suite's differential test checks it).
Needs only PyTorch (Debian: apt-get install python3-torch).
"""
import json
import math
import os
import sys

import torch

sys.dont_write_bytecode = True  # no __pycache__ in the method's folder
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import llama  # noqa: E402

PROTOCOL = "ckl-external/1"
OPTIMIZER = "optimizer.safetensors"
STATE = "state.json"


def fail(message):
    print(f"finetune.py: {message}", file=sys.stderr)
    sys.exit(2)


def read_request(argv):
    path = argv[-1] if len(argv) > 1 else os.environ.get("CKL_REQUEST")
    if not path:
        fail("no request: pass the request file's path (or set CKL_REQUEST)")
    with open(path) as f:
        req = json.load(f)
    if req.get("protocol") != PROTOCOL:
        fail(f"{path}: protocol {req.get('protocol')!r}, this method speaks {PROTOCOL}")
    return req


def read_documents(path):
    docs = []
    with open(path) as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                ids = json.loads(line)["input_ids"]
            except (json.JSONDecodeError, KeyError, TypeError) as e:
                fail(f"{path}:{n}: not a document line with input_ids ({e})")
            if len(ids) < 2 or not all(isinstance(i, int) for i in ids):
                fail(f"{path}:{n}: input_ids must hold at least two token ids")
            docs.append(ids)
    return docs


def learning_rate(s, i, warmup, total):
    """The rate of step i (0-based) of an optimiser segment of `total` steps: the suite's LrSchedule."""
    lr, kind = float(s["lr"]), s.get("schedule", "constant")
    if warmup > 0 and i < warmup:
        return lr * (i + 1) / warmup
    if kind == "constant" or total <= warmup:
        return lr
    p = min(1.0, (i - warmup) / (total - warmup))
    return lr * (1 - p) if kind == "linear" else lr * 0.5 * (1 + math.cos(math.pi * p))


def micro_batch(rows, eos, reference):
    """Right-padded ids [B, L] and the attention mask of a micro-batch (padding: EOS with loss=reference, as
    the authors' tokenizer pads; else 0, which the loss never reads)."""
    n = max(len(r) for r in rows)
    pad = eos if reference else 0
    ids = torch.tensor([r + [pad] * (n - len(r)) for r in rows], dtype=torch.int64)
    mask = torch.tensor([[1] * len(r) + [0] * (n - len(r)) for r in rows], dtype=torch.float32)
    return ids, mask


def loss_of(model, ids, mask, reference):
    """loss=tokens: mean NLL over the real target tokens; loss=reference: mean over every position."""
    nll = model.token_nll(ids, mask)
    if reference:
        return nll.mean()
    targets = mask[:, 1:]
    return (nll * targets).sum() / targets.sum()


def restore_optimizer(opt, lora, state_in):
    """The AdamW moments and step count a previous stage left in state_in (nothing there: a fresh start)."""
    path = os.path.join(state_in, OPTIMIZER)
    if not state_in or not os.path.isfile(path):
        return 0
    with open(os.path.join(state_in, STATE)) as f:
        step = int(json.load(f)["optimizer_step"])
    saved = llama.read_safetensors(path)
    for name, p in lora.named_parameters():
        if "exp_avg." + name not in saved:
            continue  # a parameter the optimiser had not stepped yet
        opt.state[p] = {"step": torch.tensor(float(step)),
                        "exp_avg": saved["exp_avg." + name].to(torch.float32).clone(),
                        "exp_avg_sq": saved["exp_avg_sq." + name].to(torch.float32).clone()}
    return step


def save_optimizer(opt, lora, step, state_out):
    tensors = {}
    for name, p in lora.named_parameters():
        st = opt.state.get(p)
        if st:
            tensors["exp_avg." + name] = st["exp_avg"]
            tensors["exp_avg_sq." + name] = st["exp_avg_sq"]
    llama.write_safetensors(os.path.join(state_out, OPTIMIZER), tensors)
    with open(os.path.join(state_out, STATE), "w") as f:
        json.dump({"optimizer_step": step}, f)


def main(argv):
    req = read_request(argv)
    s = req["settings"]
    if s.get("full"):
        fail("settings.full is true: this example trains a LoRA adapter only")
    torch.manual_seed(int(req["seed"]) * 1_000_003 + int(req["stage"]))

    model = llama.Llama(req["base_model"], torch.float32)
    lora = llama.Lora.load(req["adapter_in"])
    lora.dropout = float(s.get("lora_dropout", lora.dropout))
    model.lora = lora
    model.training = True
    params = [p for _, p in lora.named_parameters()]
    opt = torch.optim.AdamW(params, lr=float(s["lr"]), betas=(0.9, 0.999), eps=1e-8,
                            weight_decay=float(s.get("weight_decay", 0.0)))
    sched = req["schedule"]
    step = 0 if sched["fresh_optimizer"] else restore_optimizer(opt, lora, req.get("state_in"))

    docs = read_documents(req["documents"])
    batch, accum = int(s["batch_size"]), int(s.get("grad_accumulation", 1))
    micro_rows = -(-batch // accum)
    reference = s.get("loss", "tokens") == "reference"
    eos = int(model.cfg.get("eos_token_id", 2))
    clip = float(s.get("clip_norm", 0.0))
    steps = -(-len(docs) // batch)
    if steps != sched["steps_in_stage"]:
        fail(f"{len(docs)} documents in batches of {batch} make {steps} steps, the request says {sched['steps_in_stage']}")
    log = open(os.path.join(req["state_out"], "steps.jsonl"), "w")
    loss_sum = 0.0
    for j in range(steps):
        rows = docs[j * batch:(j + 1) * batch]
        micro = [rows[m:m + micro_rows] for m in range(0, len(rows), micro_rows)]
        total = 0.0
        for part in micro:
            ids, mask = micro_batch(part, eos, reference)
            loss = loss_of(model, ids, mask, reference) / len(micro)  # gradients add up over micro-batches
            loss.backward()
            total += loss.item()
        if not math.isfinite(total):  # before the update: nothing of a diverged step is kept
            fail(f"stage {req['stage']}, step {j + 1}: the loss is {total}")
        norm = torch.linalg.vector_norm(torch.stack([p.grad.norm() for p in params])).item()
        if clip > 0:
            torch.nn.utils.clip_grad_norm_(params, clip)
        lr = learning_rate(s, sched["steps_before_stage"] + j, sched["warmup_steps"], sched["segment_steps"])
        for g in opt.param_groups:
            g["lr"] = lr
        opt.step()
        opt.zero_grad(set_to_none=True)
        step += 1
        loss_sum += total
        log.write(json.dumps({"step": j + 1, "loss": total, "grad_norm": norm, "lr": lr}) + "\n")
        print(f"stage {req['stage']} step {j + 1}/{steps} loss {total:.6f}", file=sys.stderr)
    log.close()

    lora.save(req["adapter_out"], base_model=req["base_model"])
    save_optimizer(opt, lora, step, req["state_out"])
    if req.get("result"):  # the stage's mean training loss, the metrics line's train_loss
        with open(req["result"], "w") as f:
            json.dump({"train_loss": loss_sum / max(1, steps)}, f)


if __name__ == "__main__":
    main(sys.argv)
