#!/usr/bin/env python3
"""Cross-check the parity fixtures against a from-spec NumPy forward pass (float64).

    /usr/bin/python3 scripts/parity/check_fixtures.py [tiny-visual tiny-text]

The fixtures come from Hugging Face's own code (make_fixtures.py); this is an independent reading of
shared/reference/layoutlmv3-spec.md, sections 2-5, written without torch. Agreement (relative error around
1e-6, float32 against float64) says the reference code was run as intended; it is a sanity check of the
fixtures, not a second reference. Prints the relative error of the embedding output and of the last hidden
state per fixture and exits non-zero above 1e-5.
"""

import json
import math
import os
import struct
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(os.path.dirname(os.path.dirname(HERE)), "tests", "fixtures", "parity")
_ERF = np.vectorize(math.erf)


def read_safetensors(path):
    with open(path, "rb") as f:
        raw = f.read()
    n = struct.unpack("<Q", raw[:8])[0]
    header = json.loads(raw[8 : 8 + n])
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        dtype = {"F32": np.float32, "I64": np.int64}[info["dtype"]]
        begin, end = info["data_offsets"]
        a = np.frombuffer(raw[8 + n + begin : 8 + n + end], dtype=dtype).reshape(info["shape"])
        out[name] = a.astype(np.float64) if dtype == np.float32 else a.astype(np.int64)
    return out


def bucket(r, bins, max_distance):
    """Spec 4.3: T5-style bidirectional buckets."""
    half = bins // 2
    exact = half // 2
    n = np.abs(r)
    with np.errstate(divide="ignore"):
        large = exact + np.floor(np.log(np.maximum(n, 1) / exact) / math.log(max_distance / exact) * (half - exact))
    large = np.minimum(large.astype(np.int64), half - 1)
    return (r > 0) * half + np.where(n < exact, n, large)


def layer_norm(x, w, b, eps):
    m = x.mean(-1, keepdims=True)
    v = ((x - m) ** 2).mean(-1, keepdims=True)
    return (x - m) / np.sqrt(v + eps) * w + b


def forward(cfg, w, inputs):
    ids, box, mask = inputs["input_ids"], inputs["bbox"], inputs["attention_mask"]
    batch, text = ids.shape
    hidden = cfg["hidden_size"]
    heads = cfg["num_attention_heads"]
    dh = hidden // heads
    eps = cfg["layer_norm_eps"]
    pad = cfg["pad_token_id"]

    # 2. text embeddings: padding-aware position ids, six concatenated box lookups, LayerNorm
    keep = (ids != pad).astype(np.int64)
    pos = np.cumsum(keep, 1) * keep + pad
    e = w["embeddings.word_embeddings.weight"][ids] + w["embeddings.token_type_embeddings.weight"][0]
    e = e + w["embeddings.position_embeddings.weight"][pos]
    tx, ty = w["embeddings.x_position_embeddings.weight"], w["embeddings.y_position_embeddings.weight"]
    th, tw = w["embeddings.h_position_embeddings.weight"], w["embeddings.w_position_embeddings.weight"]
    spatial = np.concatenate(
        [tx[box[..., 0]], ty[box[..., 1]], tx[box[..., 2]], ty[box[..., 3]],
         th[np.clip(box[..., 3] - box[..., 1], 0, 1023)], tw[np.clip(box[..., 2] - box[..., 0], 0, 1023)]], -1)
    x = layer_norm(e + spatial, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"], eps)

    # 3. visual tokens (patches as a MatMul, CLS, pos_embed, norm 1e-6), joined, second LayerNorm
    positions = np.tile(np.arange(text), (batch, 1))
    boxes, full_mask = box, mask
    if cfg["visual_embed"]:
        p = cfg["patch_size"]
        g = cfg["input_size"] // p
        pv = inputs["pixel_values"]
        patches = pv.reshape(batch, cfg["num_channels"], g, p, g, p).transpose(0, 2, 4, 1, 3, 5).reshape(batch, g * g, -1)
        v = patches @ w["patch_embed.proj.weight"].reshape(hidden, -1).T + w["patch_embed.proj.bias"]
        v = np.concatenate([np.tile(w["cls_token"], (batch, 1, 1)), v], 1) + w["pos_embed"]
        v = layer_norm(v, w["norm.weight"], w["norm.bias"], 1e-6)
        x = layer_norm(np.concatenate([x, v], 1), w["LayerNorm.weight"], w["LayerNorm.bias"], eps)
        grid = [1000 * k // g for k in range(g + 1)]
        visual_boxes = [[1, 1, 999, 999]] + [[grid[c], grid[r], grid[c + 1], grid[r + 1]] for r in range(g) for c in range(g)]
        boxes = np.concatenate([box, np.tile(np.array(visual_boxes), (batch, 1, 1))], 1)
        positions = np.concatenate([positions, np.tile(np.arange(g * g + 1), (batch, 1))], 1)
        full_mask = np.concatenate([mask, np.ones((batch, g * g + 1), np.int64)], 1)
    embedding_output = x

    # 4. biases: 1-D on plain aranges, 2-D on left x and bottom y, key minus query
    rel = bucket(positions[:, None, :] - positions[:, :, None], cfg["rel_pos_bins"], cfg["max_rel_pos"])
    bias = w["encoder.rel_pos_bias.weight"].T[rel].transpose(0, 3, 1, 2)
    bx, by = boxes[..., 0], boxes[..., 3]
    rx = bucket(bx[:, None, :] - bx[:, :, None], cfg["rel_2d_pos_bins"], cfg["max_rel_2d_pos"])
    ry = bucket(by[:, None, :] - by[:, :, None], cfg["rel_2d_pos_bins"], cfg["max_rel_2d_pos"])
    bias = bias + (w["encoder.rel_pos_x_bias.weight"].T[rx] + w["encoder.rel_pos_y_bias.weight"].T[ry]).transpose(0, 3, 1, 2)
    additive = (1 - full_mask[:, None, None, :]) * np.finfo(np.float32).min
    seq = x.shape[1]

    # 5. post-LN layers, exact GELU
    for i in range(cfg["num_hidden_layers"]):
        pre = f"encoder.layer.{i}."

        def linear(z, name):
            return z @ w[pre + name + ".weight"].T + w[pre + name + ".bias"]

        def split(z):
            return z.reshape(batch, seq, heads, dh).transpose(0, 2, 1, 3)

        q, k, v = split(linear(x, "attention.self.query")), split(linear(x, "attention.self.key")), split(linear(x, "attention.self.value"))
        scores = (q / math.sqrt(dh)) @ k.transpose(0, 1, 3, 2) + bias / math.sqrt(dh) + additive
        scores = np.exp(scores - scores.max(-1, keepdims=True))
        probs = scores / scores.sum(-1, keepdims=True)
        ctx = (probs @ v).transpose(0, 2, 1, 3).reshape(batch, seq, hidden)
        a = layer_norm(x + linear(ctx, "attention.output.dense"), w[pre + "attention.output.LayerNorm.weight"], w[pre + "attention.output.LayerNorm.bias"], eps)
        u = linear(a, "intermediate.dense")
        u = 0.5 * u * (1 + _ERF(u / math.sqrt(2)))
        x = layer_norm(a + linear(u, "output.dense"), w[pre + "output.LayerNorm.weight"], w[pre + "output.LayerNorm.bias"], eps)
    return embedding_output, x, (rel, rx, ry)


def main():
    names = sys.argv[1:] or ["tiny-visual", "tiny-text"]
    worst = 0.0
    for name in names:
        d = os.path.join(FIXTURES, name)
        with open(os.path.join(d, "config.json")) as f:
            cfg = json.load(f)
        w = {k[len("layoutlmv3."):]: v for k, v in read_safetensors(os.path.join(d, "weights.safetensors")).items()}
        inputs = read_safetensors(os.path.join(d, "inputs.safetensors"))
        ref = read_safetensors(os.path.join(d, "outputs.safetensors"))
        emb, last, (rel, rx, ry) = forward(cfg, w, inputs)
        same_buckets = all((a == ref[k]).all() for a, k in ((rel, "debug.rel_pos_bucket"), (rx, "debug.rel_2d_x_bucket"), (ry, "debug.rel_2d_y_bucket")))
        e_emb = np.abs(emb - ref["hidden_states.0"]).max() / np.abs(ref["hidden_states.0"]).max()
        e_last = np.abs(last - ref["last_hidden_state"]).max() / np.abs(ref["last_hidden_state"]).max()
        print(f"{name}: buckets {'equal' if same_buckets else 'DIFFER'}, embedding output {e_emb:.2e}, last hidden state {e_last:.2e}")
        worst = max(worst, e_emb, e_last, 0 if same_buckets else 1)
    sys.exit(0 if worst < 1e-5 else 1)


if __name__ == "__main__":
    main()
