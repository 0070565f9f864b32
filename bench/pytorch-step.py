#!/usr/bin/env python3
"""The PyTorch side of bench/pytorch.mjs: Hugging Face's LayoutLMv3Model (modeling_layoutlmv3.py, loaded
through scripts/parity/hf_shim.py on plain PyTorch) with the head of our layoutlmv3-standard model (dropout,
then one Linear to the labels on the text tokens), CPU eager, timed on a synthetic batch:

  train step:  forward, cross-entropy, backward, global-norm clipping (1.0), AdamW (weight decay 0.01)
  inference:   eval mode, torch.inference_mode(), forward + head

Usage (Debian's python3-torch; the modeling file is not part of this repository, see scripts/parity/README.md):

    /usr/bin/python3 bench/pytorch-step.py --modeling /tmp/hf-008f5c8/modeling_layoutlmv3.py \
        --config CONFIG.json --batch 8 --seq 256 --threads 2 --rounds 3

CONFIG.json holds the backbone's Hugging Face config keys (bench/pytorch.mjs writes it from our preset).
`--modeling transformers` takes LayoutLMv3Model from an installed `transformers` package instead (the
device machine has one; scripts/device/README.md).
Prints one JSON line: median and best wall and CPU milliseconds per case, the peak RSS after training.
"""

import argparse
import json
import os
import resource
import sys
import time

import torch
from torch import nn

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "scripts", "parity"))
import hf_shim  # noqa: E402


def stats(xs):
    s = sorted(xs)
    return {"medianMs": s[len(s) // 2], "minMs": s[0], "runs": len(s)}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--modeling", required=True)
    ap.add_argument("--config", required=True)
    ap.add_argument("--batch", type=int, required=True)
    ap.add_argument("--seq", type=int, required=True)
    ap.add_argument("--labels", type=int, default=161)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--warmup", type=int, default=1)
    a = ap.parse_args()

    torch.manual_seed(0)
    torch.set_num_threads(a.threads)
    torch.set_num_interop_threads(1)
    if a.modeling == "transformers":
        import transformers as hf
    else:
        hf = hf_shim.load_layoutlmv3(a.modeling)
    with open(a.config) as f:
        cfg = json.load(f)
    config = hf.LayoutLMv3Config(**cfg)
    backbone = hf.LayoutLMv3Model(config)
    head = nn.Sequential(nn.Dropout(cfg["hidden_dropout_prob"]), nn.Linear(cfg["hidden_size"], a.labels))
    params = list(backbone.parameters()) + list(head.parameters())
    optimizer = torch.optim.AdamW(params, lr=1e-4, weight_decay=0.01)
    loss_fn = nn.CrossEntropyLoss()

    B, S = a.batch, a.seq
    gen = torch.Generator().manual_seed(1)
    input_ids = torch.randint(3, cfg["vocab_size"], (B, S), generator=gen)
    lo = torch.randint(0, 500, (B, S, 2), generator=gen)
    hi = torch.randint(500, 1000, (B, S, 2), generator=gen)
    bbox = torch.cat([lo, hi], dim=-1)
    attention_mask = torch.ones(B, S, dtype=torch.long)
    feeds = {"input_ids": input_ids, "bbox": bbox, "attention_mask": attention_mask}
    if cfg.get("visual_embed", True):
        feeds["pixel_values"] = torch.rand(B, cfg["num_channels"], cfg["input_size"], cfg["input_size"], generator=gen)
    labels = torch.randint(0, a.labels, (B, S), generator=gen)

    def logits():
        hidden = backbone(**feeds)[0][:, :S]
        return head(hidden)

    def train_step():
        backbone.train()
        head.train()
        optimizer.zero_grad(set_to_none=True)
        loss = loss_fn(logits().reshape(-1, a.labels), labels.reshape(-1))
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        optimizer.step()

    def infer():
        backbone.eval()
        head.eval()
        with torch.inference_mode():
            logits()

    out = {"torch": torch.__version__, "threads": torch.get_num_threads(), "batch": B, "seq": S}
    for name, fn, rounds in (("trainStep", train_step, a.rounds), ("infer", infer, max(a.rounds, 3))):
        wall, cpu = [], []
        for r in range(-a.warmup, rounds):
            c0, t0 = time.process_time(), time.perf_counter()
            fn()
            t1, c1 = time.perf_counter(), time.process_time()
            if r >= 0:
                wall.append((t1 - t0) * 1000)
                cpu.append((c1 - c0) * 1000)
        out[name] = {"wall": stats(wall), "cpu": stats(cpu)}
        if name == "trainStep":
            out["peakTrainingRssMB"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    out["parameters"] = sum(p.numel() for p in params)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
