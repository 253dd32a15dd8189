"""A Hugging Face Llama checkpoint with PEFT LoRA adapters, in plain PyTorch (no transformers, peft or
safetensors packages): the safetensors format, the Llama decoder (RMSNorm, rotary embeddings with
rope_theta and rope_scaling, grouped-query attention, SwiGLU MLP) and y = W·x + (alpha/r)·B·A·x on the
adapted projections. It computes what transformers' LlamaForCausalLM and peft's LoraModel compute; the
suite's tests check it against float64 golden logits and gradients (../shared/fixtures/tiny-llama).
"""
import json
import math
import os
import re
import struct

import torch
import torch.nn.functional as F

_DTYPES = {"F64": torch.float64, "F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16,
           "I64": torch.int64, "I32": torch.int32, "I16": torch.int16, "I8": torch.int8, "U8": torch.uint8,
           "BOOL": torch.bool}
_NAMES = {v: k for k, v in _DTYPES.items()}


class FormatError(ValueError):
    """A file that is not what it claims to be; the message names the file."""


def read_safetensors(path):
    """{name: tensor} of a .safetensors file (header: 8-byte little-endian length, JSON, then the bytes)."""
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 8:
        raise FormatError(f"{path}: too short for a safetensors header")
    (n,) = struct.unpack("<Q", data[:8])
    if n > len(data) - 8:
        raise FormatError(f"{path}: header length {n} runs past the end of the file")
    try:
        header = json.loads(data[8:8 + n].decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise FormatError(f"{path}: header is not JSON ({e})")
    body = memoryview(data)[8 + n:]
    out = {}
    for name, e in header.items():
        if name == "__metadata__":
            continue
        dtype = _DTYPES.get(e.get("dtype"))
        if dtype is None:
            raise FormatError(f"{path}: tensor {name}: dtype {e.get('dtype')!r} is not supported")
        shape = [int(s) for s in e["shape"]]
        start, end = (int(x) for x in e["data_offsets"])
        size = torch.empty((), dtype=dtype).element_size() * math.prod(shape)
        if not (0 <= start <= end <= len(body)) or end - start != size:
            raise FormatError(f"{path}: tensor {name}: offsets {start}..{end} do not hold shape {shape} of {e['dtype']}")
        raw = bytearray(body[start:end])  # a copy: torch.frombuffer shares memory with its buffer
        t = torch.frombuffer(raw, dtype=dtype) if size else torch.empty(0, dtype=dtype)
        out[name] = t.reshape(shape)
    return out


def write_safetensors(path, tensors, metadata=None):
    """Writes {name: tensor} as safetensors (contiguous little-endian bytes), atomically (temp file, rename)."""
    header, blobs, at = {}, [], 0
    for name in sorted(tensors):
        t = tensors[name].detach().contiguous().cpu()
        raw = t.reshape(-1).view(torch.uint8).numpy().tobytes() if t.numel() else b""
        header[name] = {"dtype": _NAMES[t.dtype], "shape": list(t.shape), "data_offsets": [at, at + len(raw)]}
        blobs.append(raw)
        at += len(raw)
    if metadata:
        header["__metadata__"] = {str(k): str(v) for k, v in metadata.items()}
    h = json.dumps(header, separators=(",", ":")).encode("utf-8")
    h += b" " * (-len(h) % 8)  # the format's 8-byte alignment of the data
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def read_model_weights(folder):
    """The weights of an HF model folder: model.safetensors or the shards its index names."""
    single = os.path.join(folder, "model.safetensors")
    if os.path.isfile(single):
        return read_safetensors(single)
    index = os.path.join(folder, "model.safetensors.index.json")
    if not os.path.isfile(index):
        raise FormatError(f"{folder}: neither model.safetensors nor model.safetensors.index.json"
                          " (pytorch_model.bin is pickle, which this example never reads)")
    with open(index) as f:
        weight_map = json.load(f)["weight_map"]
    out = {}
    for shard in sorted(set(weight_map.values())):
        if os.path.basename(shard) != shard:
            raise FormatError(f"{index}: shard {shard!r} is not a file name in the folder")
        out.update(read_safetensors(os.path.join(folder, shard)))
    return out


def inverse_frequencies(cfg, head_dim):
    """θ^(−2i/d) for the rotary pairs, with transformers' rope_scaling types default, linear and llama3."""
    theta = float(cfg.get("rope_theta", 10000.0))
    inv = [1.0 / theta ** (2.0 * i / head_dim) for i in range(head_dim // 2)]
    rs = cfg.get("rope_scaling")
    kind = (rs or {}).get("rope_type", (rs or {}).get("type", "default"))
    if kind == "linear":
        inv = [x / rs["factor"] for x in inv]
    elif kind == "llama3":
        factor, low, high = rs["factor"], rs["low_freq_factor"], rs["high_freq_factor"]
        ctx = rs["original_max_position_embeddings"]
        out = []
        for x in inv:
            wavelen = 2 * math.pi / x
            if wavelen > ctx / low:
                x = x / factor
            elif wavelen >= ctx / high:
                smooth = (ctx / wavelen - low) / (high - low)
                x = (1 - smooth) * x / factor + smooth * x
            out.append(x)
        inv = out
    elif kind != "default":
        raise FormatError(f"rope_scaling type {kind!r} is not implemented (default, linear, llama3)")
    return torch.tensor(inv, dtype=torch.float64)


class Lora:
    """A PEFT LoRA adapter: {module: (A [r, in], B [out, r])} as trainable tensors, scaling alpha/r."""

    PREFIX = "base_model.model."

    def __init__(self, config, tensors):
        self.config = dict(config)
        if self.config.get("peft_type", "LORA") != "LORA":
            raise FormatError(f"adapter peft_type {self.config.get('peft_type')!r} is not LORA")
        self.r = int(config["r"])
        self.scaling = float(config["lora_alpha"]) / self.r
        self.dropout = float(config.get("lora_dropout", 0.0))
        self.A, self.B = {}, {}
        for name, t in tensors.items():
            m = re.fullmatch(re.escape(self.PREFIX) + r"(.+)\.lora_([AB])\.weight", name)
            if not m:
                raise FormatError(f"adapter tensor {name!r} is not a PEFT LoRA tensor name")
            (self.A if m.group(2) == "A" else self.B)[m.group(1)] = t.to(torch.float32).clone().requires_grad_(True)
        if set(self.A) != set(self.B):
            raise FormatError(f"adapter has lora_A without lora_B or the reverse: {sorted(set(self.A) ^ set(self.B))}")

    @classmethod
    def load(cls, folder):
        with open(os.path.join(folder, "adapter_config.json")) as f:
            config = json.load(f)
        return cls(config, read_safetensors(os.path.join(folder, "adapter_model.safetensors")))

    def targets(self, module):
        """PEFT's matching: a list matches a module whose name ends with '.'+entry; a string is a full regex."""
        t = self.config["target_modules"]
        if isinstance(t, str):
            return re.fullmatch(t, module) is not None
        return any(module == k or module.endswith("." + k) for k in t)

    def named_parameters(self):
        """(PEFT name, tensor) in a stable order."""
        for module in sorted(self.A):
            yield self.PREFIX + module + ".lora_A.weight", self.A[module]
            yield self.PREFIX + module + ".lora_B.weight", self.B[module]

    def save(self, folder, base_model=None):
        os.makedirs(folder, exist_ok=True)
        write_safetensors(os.path.join(folder, "adapter_model.safetensors"), dict(self.named_parameters()))
        cfg = dict(self.config)
        if base_model is not None:
            cfg["base_model_name_or_path"] = base_model
        tmp = os.path.join(folder, "adapter_config.json.tmp")
        with open(tmp, "w") as f:
            json.dump(cfg, f, indent=2)
            f.write("\n")
        os.replace(tmp, os.path.join(folder, "adapter_config.json"))


class Llama:
    """LlamaForCausalLM's forward pass over frozen weights, in `dtype`, with optional LoRA."""

    def __init__(self, folder, dtype=torch.float32):
        with open(os.path.join(folder, "config.json")) as f:
            self.cfg = json.load(f)
        c = self.cfg
        if c.get("hidden_act", "silu") != "silu" or c.get("attention_bias") or c.get("mlp_bias"):
            raise FormatError(f"{folder}/config.json: only the Llama architecture (silu, no biases) is implemented")
        self.dtype = dtype
        self.w = {k: v.to(dtype) for k, v in read_model_weights(folder).items()}
        if "lm_head.weight" not in self.w:  # tie_word_embeddings
            self.w["lm_head.weight"] = self.w["model.embed_tokens.weight"]
        self.layers = int(c["num_hidden_layers"])
        self.heads = int(c["num_attention_heads"])
        self.kv_heads = int(c.get("num_key_value_heads", self.heads))
        self.head_dim = int(c.get("head_dim", c["hidden_size"] // self.heads))
        self.eps = float(c.get("rms_norm_eps", 1e-6))
        self.inv_freq = inverse_frequencies(c, self.head_dim)
        self.lora = None
        self.training = False

    def _rms(self, x, name):
        var = x.to(torch.float32).pow(2).mean(-1, keepdim=True) if x.dtype != torch.float64 else x.pow(2).mean(-1, keepdim=True)
        return self.w[name] * (x.to(var.dtype) * torch.rsqrt(var + self.eps)).to(x.dtype)

    def _proj(self, x, module):
        y = F.linear(x, self.w[module + ".weight"])
        lora = self.lora
        if lora is not None and module in lora.A:
            h = F.dropout(x, lora.dropout, training=True) if self.training and lora.dropout > 0 else x
            y = y + lora.scaling * F.linear(F.linear(h, lora.A[module].to(x.dtype)), lora.B[module].to(x.dtype))
        return y

    def _rope(self, length):
        angle = torch.outer(torch.arange(length, dtype=torch.float64), self.inv_freq)
        angle = torch.cat((angle, angle), -1)
        return angle.cos().to(self.dtype), angle.sin().to(self.dtype)

    @staticmethod
    def _rotate_half(x):
        h = x.shape[-1] // 2
        return torch.cat((-x[..., h:], x[..., :h]), -1)

    def hidden(self, ids, pad_mask=None):
        """The final-norm hidden states [B, L, hidden] of ids [B, L]: causal attention, and with pad_mask
        [B, L] (1 token, 0 padding) no position attends to padding, as transformers does with an
        attention_mask. A real position never attends to later padding anyway; the mask matters for the
        outputs at padded positions, which loss=reference counts."""
        b, n = ids.shape
        x = F.embedding(ids, self.w["model.embed_tokens.weight"])
        cos, sin = self._rope(n)
        mask = torch.full((n, n), float("-inf"), dtype=self.dtype).triu(1)
        if pad_mask is not None:
            mask = mask.expand(b, 1, n, n).masked_fill(pad_mask[:, None, None, :] == 0, float("-inf"))
        rep = self.heads // self.kv_heads
        for i in range(self.layers):
            p = f"model.layers.{i}."
            h = self._rms(x, p + "input_layernorm.weight")
            q = self._proj(h, p + "self_attn.q_proj").view(b, n, self.heads, self.head_dim).transpose(1, 2)
            k = self._proj(h, p + "self_attn.k_proj").view(b, n, self.kv_heads, self.head_dim).transpose(1, 2)
            v = self._proj(h, p + "self_attn.v_proj").view(b, n, self.kv_heads, self.head_dim).transpose(1, 2)
            q = q * cos + self._rotate_half(q) * sin
            k = k * cos + self._rotate_half(k) * sin
            k, v = k.repeat_interleave(rep, 1), v.repeat_interleave(rep, 1)  # transformers' repeat_kv
            scores = q @ k.transpose(-1, -2) / math.sqrt(self.head_dim) + mask
            att = torch.softmax(scores.to(torch.float32) if self.dtype != torch.float64 else scores, -1).to(self.dtype)
            o = (att @ v).transpose(1, 2).reshape(b, n, self.heads * self.head_dim)
            x = x + self._proj(o, p + "self_attn.o_proj")
            h = self._rms(x, p + "post_attention_layernorm.weight")
            x = x + self._proj(F.silu(self._proj(h, p + "mlp.gate_proj")) * self._proj(h, p + "mlp.up_proj"),
                               p + "mlp.down_proj")
        return self._rms(x, "model.norm.weight")

    def logits(self, ids, pad_mask=None):
        return F.linear(self.hidden(ids, pad_mask), self.w["lm_head.weight"])

    def token_nll(self, ids, pad_mask=None):
        """-log p(ids[t+1] | ids[<=t]) as [B, L-1]."""
        logits = self.logits(ids, pad_mask)[:, :-1]
        return F.cross_entropy(logits.reshape(-1, logits.shape[-1]).to(torch.float32 if self.dtype != torch.float64 else self.dtype),
                               ids[:, 1:].reshape(-1), reduction="none").view(ids.shape[0], -1)
