#!/usr/bin/env python3
"""Make the LayoutLMv3 parity fixtures in tests/fixtures/parity/ from Hugging Face's own model code.

Usage (Debian: apt-get install python3-torch python3-yaml; use /usr/bin/python3):

    /usr/bin/python3 scripts/parity/make_fixtures.py \
        --modeling PATH/TO/transformers/src/transformers/models/layoutlmv3/modeling_layoutlmv3.py \
        --revision COMMIT_OF_THAT_FILE [--out tests/fixtures/parity]

See scripts/parity/README.md. For each fixture it builds LayoutLMv3Model with the tiny preset's backbone
(config/models/tiny.yaml; visual branch on or off), draws every parameter from a fixed seed, runs a batch
of 2 (the second row padded) and writes, per fixture directory:

    config.json           the Hugging Face config used
    weights.safetensors   every parameter, named layoutlmv3.<state-dict name>, float32
    inputs.safetensors    input_ids, bbox, attention_mask (int64), pixel_values (float32, visual only)
    outputs.safetensors   last_hidden_state; hidden_states.<i> (embedding output, then each layer);
                          loss_weight and loss (loss = sum(last_hidden_state * loss_weight));
                          debug.* the encoder's position ids, boxes and relative-position bucket matrices
    grads.safetensors     d loss / d parameter for every parameter that receives a gradient
    grads-rel-pos.safetensors  the gradients of the three relative-position tables when their gathers
                          run outside no_grad (heads.train_rel_pos_bias), from HF's code minus no_grad

and tests/fixtures/parity/manifest.json describing them. Safetensors files are written by the format's
rules without the safetensors package (header JSON + raw little-endian data, as safetensors.save_file).
"""

import argparse
import json
import math
import os
import platform
import struct
import subprocess
import sys

import numpy as np
import torch
import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
import hf_shim  # noqa: E402

SEED = 20240607
BATCH = 2
TEXT_LEN = 24
PAD_ROW_REAL = 15  # real tokens in the padded row (incl. <s> and </s>); the rest are <pad>
PREFIX = "layoutlmv3."

# safetensors writer ---------------------------------------------------------------------------------------

_DTYPE = {torch.float32: "F32", torch.int64: "I64", torch.float64: "F64", torch.int32: "I32", torch.uint8: "U8"}
_RANK = ["BOOL", "U8", "I8", "F8_E5M2", "F8_E4M3", "I16", "U16", "F16", "BF16", "I32", "U32", "F32", "F64", "I64", "U64"]


def write_safetensors(path, tensors, metadata=None):
    """As safetensors.torch.save_file: order by dtype (larger first) then name, header padded to 8 bytes."""
    items = []
    for name, t in tensors.items():
        t = t.detach().contiguous().cpu()
        items.append((name, _DTYPE[t.dtype], list(t.shape), t.numpy().astype(t.numpy().dtype.newbyteorder("<")).tobytes()))
    items.sort(key=lambda it: (-_RANK.index(it[1]), it[0]))
    header = {}
    if metadata:
        header["__metadata__"] = metadata
    offset = 0
    for name, dtype, shape, data in items:
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [offset, offset + len(data)]}
        offset += len(data)
    raw = json.dumps(header, separators=(",", ":")).encode("utf-8")
    raw += b" " * ((8 - len(raw) % 8) % 8)
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(struct.pack("<Q", len(raw)))
        f.write(raw)
        for _, _, _, data in items:
            f.write(data)
    os.replace(tmp, path)


# the spec's bucket tables (shared/reference/layoutlmv3-spec.md section 4.3), to check the reference code ----

SPEC_1D = [(0, 0), (7, 7), (8, 8), (11, 8), (12, 9), (15, 9), (16, 10), (22, 10), (23, 11), (31, 11), (32, 12),
           (45, 12), (46, 13), (63, 13), (64, 14), (90, 14), (91, 15), (500, 15)]
SPEC_2D = [(15, 15), (16, 16), (19, 16), (20, 17), (22, 17), (23, 18), (27, 19), (31, 19), (32, 20), (38, 20),
           (39, 21), (46, 22), (54, 23), (63, 23), (64, 24), (77, 25), (91, 26), (108, 27), (127, 27), (128, 28),
           (152, 28), (153, 29), (182, 30), (215, 30), (216, 31), (1000, 31)]


def check_buckets_against_spec(encoder):
    for table, bins, max_dist in ((SPEC_1D, 32, 128), (SPEC_2D, 64, 256)):
        for n, want in table:
            for sign in (-1, 1):
                r = torch.tensor([[sign * n]])
                got = int(encoder.relative_position_bucket(r, num_buckets=bins, max_distance=max_dist)[0, 0])
                expected = want + (bins // 2 if sign > 0 and n > 0 else 0)
                if got != expected:
                    raise SystemExit(f"bucket({sign * n}; {bins}, {max_dist}) = {got}, spec says {expected}")


# model, parameters, inputs --------------------------------------------------------------------------------

def tiny_backbone():
    with open(os.path.join(REPO, "config", "models", "tiny.yaml")) as f:
        doc = yaml.safe_load(f)
    return doc["backbone"]


def hf_config_dict(backbone, visual):
    cfg = {k: v for k, v in backbone.items() if k != "max_text_length"}
    cfg["visual_embed"] = visual
    return {"model_type": "layoutlmv3", "architectures": ["LayoutLMv3Model"], **cfg}


def draw_parameters(model, gen):
    """Every parameter from `gen`, scaled so each path of the forward pass matters at test tolerance."""
    with torch.no_grad():
        for name, p in model.named_parameters():
            if "rel_pos" in name:
                w = torch.randn(p.shape, generator=gen, dtype=torch.float64)
                w = (w - w.mean()) / w.std(unbiased=False)  # unit variance, as the issue asks
                p.copy_(w.to(torch.float32))
            elif name.endswith("LayerNorm.weight") or name == "norm.weight":
                p.copy_(1 + 0.1 * torch.randn(p.shape, generator=gen))
            elif name.endswith(".bias"):
                p.copy_(0.1 * torch.randn(p.shape, generator=gen))
            elif name.startswith("embeddings.") or name in ("cls_token", "pos_embed"):
                p.copy_(torch.randn(p.shape, generator=gen))  # padding rows included: their gradient must still be 0
            else:  # Linear and Conv2d weights
                fan_in = int(np.prod(p.shape[1:]))
                p.copy_(torch.randn(p.shape, generator=gen) / math.sqrt(fan_in))


def make_inputs(backbone, visual, gen):
    vocab = backbone["vocab_size"]
    input_ids = torch.randint(3, vocab, (BATCH, TEXT_LEN), generator=gen)
    input_ids[:, 0] = backbone["bos_token_id"]
    input_ids[0, TEXT_LEN - 1] = backbone["eos_token_id"]
    input_ids[1, PAD_ROW_REAL - 1] = backbone["eos_token_id"]
    input_ids[1, PAD_ROW_REAL:] = backbone["pad_token_id"]
    attention_mask = torch.ones(BATCH, TEXT_LEN, dtype=torch.int64)
    attention_mask[1, PAD_ROW_REAL:] = 0

    # left edges at powers of two and their sums, so x distances hit the float-boundary buckets (16, 32,
    # 64, 128) and the last one (>= 216); bottoms spread over the page likewise.
    x0s = [0, 16, 32, 64, 128, 256, 512, 700, 900, 48, 96, 192, 384, 640, 40, 80, 160, 320, 5, 21, 37, 69, 133]
    y1s = [20, 36, 52, 84, 148, 276, 532, 1000, 990, 60, 116, 212, 404, 660, 30, 100, 180, 340, 25, 41, 57, 89]
    bbox = torch.zeros(BATCH, TEXT_LEN, 4, dtype=torch.int64)
    for b in range(BATCH):
        real = TEXT_LEN if b == 0 else PAD_ROW_REAL
        for t in range(1, real - 1):
            i = (t - 1 + 7 * b) % len(x0s)
            x0 = x0s[i]
            y1 = y1s[(t - 1 + 3 * b) % len(y1s)]
            w = int(torch.randint(5, 90, (1,), generator=gen))
            h = int(torch.randint(8, 30, (1,), generator=gen))
            bbox[b, t] = torch.tensor([x0, max(0, y1 - h), min(1000, x0 + w), y1])
    bbox[0, 3] = torch.tensor([0, 0, 1000, 1000])  # full page: h and w 1000
    bbox[0, 5] = torch.tensor([300, 400, 250, 380])  # inverted box: h and w clip to 0
    out = {"input_ids": input_ids, "bbox": bbox, "attention_mask": attention_mask}
    if visual:
        side = backbone["input_size"]
        out["pixel_values"] = torch.rand(BATCH, backbone["num_channels"], side, side, generator=gen) * 2 - 1
    return out


def no_grad_names(order, grads):
    return [k for k in order if k not in grads]


def make_fixture(hf, name, visual, out_dir):
    backbone = tiny_backbone()
    cfg_dict = hf_config_dict(backbone, visual)
    config = hf.LayoutLMv3Config(**{k: v for k, v in cfg_dict.items() if k not in ("model_type", "architectures")})
    torch.manual_seed(SEED)
    model = hf.LayoutLMv3Model(config)
    model.eval()  # no dropout
    check_buckets_against_spec(model.encoder)

    gen = torch.Generator().manual_seed(SEED + (1 if visual else 0))
    draw_parameters(model, gen)
    inputs = make_inputs(backbone, visual, gen)

    captured = {}
    orig_1d, orig_2d = model.encoder._cal_1d_pos_emb, model.encoder._cal_2d_pos_emb

    def cap_1d(position_ids):
        captured["position_ids"] = position_ids.clone()
        return orig_1d(position_ids)

    def cap_2d(bbox):
        captured["bbox"] = bbox.clone()
        return orig_2d(bbox)

    model.encoder._cal_1d_pos_emb, model.encoder._cal_2d_pos_emb = cap_1d, cap_2d

    out = model(**inputs, output_hidden_states=True, return_dict=True)
    hidden = out.last_hidden_state
    loss_weight = torch.randn(hidden.shape, generator=gen)
    loss = (hidden * loss_weight).sum()
    model.zero_grad()
    loss.backward()

    enc = model.encoder
    pos, box = captured["position_ids"], captured["bbox"]
    rel_1d = enc.relative_position_bucket(pos.unsqueeze(-2) - pos.unsqueeze(-1), num_buckets=enc.rel_pos_bins, max_distance=enc.max_rel_pos)
    bx, by = box[:, :, 0], box[:, :, 3]
    rel_x = enc.relative_position_bucket(bx.unsqueeze(-2) - bx.unsqueeze(-1), num_buckets=enc.rel_2d_pos_bins, max_distance=enc.max_rel_2d_pos)
    rel_y = enc.relative_position_bucket(by.unsqueeze(-2) - by.unsqueeze(-1), num_buckets=enc.rel_2d_pos_bins, max_distance=enc.max_rel_2d_pos)
    half_1d, half_2d = enc.rel_pos_bins // 2, enc.rel_2d_pos_bins // 2
    for what, m, top in (("1-D", rel_1d, half_1d - 1), ("2-D x", rel_x, half_2d - 1), ("2-D y", rel_y, half_2d - 1)):
        if not ((m == top).any() and (m == top + (half_1d if what == "1-D" else half_2d)).any()):
            raise SystemExit(f"{name}: the {what} buckets never reach the last bucket on both sides")

    os.makedirs(out_dir, exist_ok=True)
    state = model.state_dict()
    order = [k for k in state.keys() if k != "embeddings.position_ids"]
    params = dict(model.named_parameters())
    write_safetensors(os.path.join(out_dir, "weights.safetensors"), {PREFIX + k: params[k] for k in order})
    write_safetensors(os.path.join(out_dir, "inputs.safetensors"), inputs)
    outputs = {"last_hidden_state": hidden, "loss_weight": loss_weight, "loss": loss.reshape(())}
    for i, h in enumerate(out.hidden_states):
        outputs[f"hidden_states.{i}"] = h
    outputs.update({"debug.position_ids": pos, "debug.bbox": box, "debug.rel_pos_bucket": rel_1d,
                    "debug.rel_2d_x_bucket": rel_x, "debug.rel_2d_y_bucket": rel_y})
    write_safetensors(os.path.join(out_dir, "outputs.safetensors"), outputs)
    grads = {PREFIX + k: params[k].grad for k in order if params[k].grad is not None}
    no_grad = [PREFIX + k for k in order if params[k].grad is None]
    write_safetensors(os.path.join(out_dir, "grads.safetensors"), grads)
    with open(os.path.join(out_dir, "config.json"), "w") as f:
        json.dump(cfg_dict, f, indent=2)
        f.write("\n")

    # The same pass with the bias gathers outside no_grad (as transformers <= 4.33 and the authors' code
    # trained them): gradients for heads.train_rel_pos_bias. Everything else must come out identical.
    def cal_1d_with_grad(position_ids):
        rel = enc.relative_position_bucket(position_ids.unsqueeze(-2) - position_ids.unsqueeze(-1), num_buckets=enc.rel_pos_bins, max_distance=enc.max_rel_pos)
        return enc.rel_pos_bias.weight.t()[rel].permute(0, 3, 1, 2).contiguous()

    def cal_2d_with_grad(bbox):
        x, y = bbox[:, :, 0], bbox[:, :, 3]
        rx = enc.relative_position_bucket(x.unsqueeze(-2) - x.unsqueeze(-1), num_buckets=enc.rel_2d_pos_bins, max_distance=enc.max_rel_2d_pos)
        ry = enc.relative_position_bucket(y.unsqueeze(-2) - y.unsqueeze(-1), num_buckets=enc.rel_2d_pos_bins, max_distance=enc.max_rel_2d_pos)
        return enc.rel_pos_x_bias.weight.t()[rx].permute(0, 3, 1, 2).contiguous() + enc.rel_pos_y_bias.weight.t()[ry].permute(0, 3, 1, 2).contiguous()

    first_grads = {k: params[k].grad.clone() for k in order if params[k].grad is not None}
    enc._cal_1d_pos_emb, enc._cal_2d_pos_emb = cal_1d_with_grad, cal_2d_with_grad
    model.zero_grad(set_to_none=True)
    again = model(**inputs, return_dict=True).last_hidden_state
    (again * loss_weight).sum().backward()
    if not torch.equal(again, hidden) or any(not torch.equal(params[k].grad, g) for k, g in first_grads.items()):
        raise SystemExit(f"{name}: training the bias tables changed other results")
    write_safetensors(os.path.join(out_dir, "grads-rel-pos.safetensors"), {PREFIX + k: params[k].grad for k in no_grad_names(order, first_grads)})

    zero_rows = []
    for k in ("embeddings.word_embeddings.weight", "embeddings.position_embeddings.weight"):
        row = backbone["pad_token_id"]
        g = params[k].grad[row]
        if not bool((g == 0).all()):
            raise SystemExit(f"{name}: gradient of {k} row {row} is not exactly zero")
        zero_rows.append({"name": PREFIX + k, "row": row})
    seq = hidden.shape[1]
    return {
        "name": name,
        "dir": name,
        "visual_embed": visual,
        "batch": BATCH,
        "text_length": TEXT_LEN,
        "visual_tokens": seq - TEXT_LEN,
        "sequence_length": seq,
        "hidden_size": backbone["hidden_size"],
        "padded_row": {"row": 1, "real_tokens": PAD_ROW_REAL},
        "parameters": [PREFIX + k for k in order],
        "parameter_count": int(sum(params[k].numel() for k in order)),
        "no_grad": no_grad,
        "zero_grad_rows": zero_rows,
        "loss": "sum(last_hidden_state * loss_weight)",
        "loss_value": float(loss),
        "max_abs_last_hidden_state": float(hidden.abs().max()),
        "bucket_extremes": {
            "rel_pos_bucket": [int(rel_1d.min()), int(rel_1d.max())],
            "rel_2d_x_bucket": [int(rel_x.min()), int(rel_x.max())],
            "rel_2d_y_bucket": [int(rel_y.min()), int(rel_y.max())],
        },
    }


def debian_torch_package():
    try:
        v = subprocess.run(["dpkg-query", "-W", "-f=${Version}", "python3-torch"], capture_output=True, text=True, check=True).stdout
        return f"Debian python3-torch {v}" if v else None
    except (OSError, subprocess.CalledProcessError):
        return None


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--modeling", required=True, help="path of transformers' modeling_layoutlmv3.py")
    ap.add_argument("--revision", required=True, help="transformers commit the modeling file was taken from")
    ap.add_argument("--source-note", default="", help="how the file was obtained (recorded in the manifest)")
    ap.add_argument("--out", default=os.path.join(REPO, "tests", "fixtures", "parity"))
    args = ap.parse_args()

    torch.set_num_threads(1)
    hf = hf_shim.load_layoutlmv3(args.modeling)
    fixtures = [
        make_fixture(hf, "tiny-visual", True, os.path.join(args.out, "tiny-visual")),
        make_fixture(hf, "tiny-text", False, os.path.join(args.out, "tiny-text")),
    ]
    manifest = {
        "description": "LayoutLMv3 parity fixtures: Hugging Face's LayoutLMv3Model (CPU, float32, eval mode) on the tiny preset",
        "generator": "scripts/parity/make_fixtures.py",
        "reference": {
            "library": "huggingface/transformers",
            "file": "src/transformers/models/layoutlmv3/modeling_layoutlmv3.py",
            "revision": args.revision,
            "run_through": "scripts/parity/hf_shim.py (stand-ins for the file's few transformers imports)",
            "source_note": args.source_note,
        },
        "torch": torch.__version__,
        "torch_package": debian_torch_package(),
        "numpy": np.__version__,
        "python": platform.python_version(),
        "seed": SEED,
        "tolerances": {"hidden_states": 1e-4, "gradients": 1e-3, "measure": "max|ours - reference| / max|reference| per tensor"},
        "notes": [
            "Parameters are drawn for sensitivity, not with Hugging Face's init: Linear/Conv2d weights normal with std 1/sqrt(fan_in), "
            "embedding tables (padding rows included), cls_token and pos_embed std 1, biases std 0.1, "
            "LayerNorm weights 1 + std 0.1; the relative-position tables standardised to mean 0, variance 1.",
            "The encoder gathers rel_pos_bias, rel_pos_x_bias and rel_pos_y_bias under torch.no_grad(), so they get no "
            "gradient (listed per fixture in no_grad); grads.safetensors holds every other parameter.",
            "Row pad_token_id of the word and 1-D position tables gets an exactly zero gradient (padding_idx); "
            "zero_grad_rows lists them.",
            "grads-rel-pos.safetensors: gradients of the three tables from the same code with the gathers outside "
            "no_grad (as transformers <= 4.33 and the authors' code), for a model trained with train_rel_pos_bias; "
            "with that change every other output and gradient is bit-identical.",
            "Token type ids are not passed (all zero). Row 1 of each batch is padded with <pad> (id 1), box [0,0,0,0], mask 0.",
            "debug.* tensors are what the encoder received (position ids, boxes) and the bucket matrices it built.",
        ],
        "fixtures": fixtures,
    }
    with open(os.path.join(args.out, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=2)
        f.write("\n")
    for fx in fixtures:
        print(f"{fx['name']}: seq {fx['sequence_length']}, {fx['parameter_count']} parameters, loss {fx['loss_value']:.6f}, "
              f"buckets {fx['bucket_extremes']}")


if __name__ == "__main__":
    main()
