#!/usr/bin/env python3
"""Times a train_step.onnx against its infer.onnx with Python onnxruntime, for machines without Node.

The graphs and feeds come from `node bench/train-step.mjs --export DIR` (same graphs, same batch, the same
ONNX Runtime kernels as onnxruntime-node). Runs are interleaved (forward, step, forward, step, ...) so a
change in the machine's load hits both; prints min and median wall and CPU (process) time and the step /
forward ratio of the minima, per intra-op thread count. The step's state is fed and returned as numpy arrays
(one copy each way, as onnxruntime-node does).

    python3 scripts/device/ort-step-ratio.py DIR [DIR ...] [--threads 1,2] [--reps 10] [--json]
"""
import argparse
import json
import os
import platform
import time

import numpy as np
import onnxruntime as ort

DTYPES = {"float32": np.float32, "float64": np.float64, "int64": np.int64, "int32": np.int32, "bool": np.bool_}


def load_feeds(d):
    index = json.load(open(os.path.join(d, "index.json")))
    feeds = {}
    rng = np.random.default_rng(0)
    for f in index["feeds"]:
        dt = DTYPES[f["dtype"]]
        if f.get("random"):
            norm = f["name"].lower().endswith(("layernorm.weight", "norm.weight", "ln.weight"))
            feeds[f["name"]] = np.ones(f["dims"], dt) if norm else np.asarray(0.02 * rng.standard_normal(f["dims"]), dtype=dt)
        elif f.get("zeros"):
            feeds[f["name"]] = np.zeros(f["dims"], dtype=dt)
        else:
            feeds[f["name"]] = np.fromfile(os.path.join(d, f["file"]), dtype=dt).reshape(f["dims"])
    return index, feeds


def measure(d, threads, reps, bake=False):
    index, feeds = load_feeds(d)
    so = ort.SessionOptions()
    so.intra_op_num_threads = threads
    so.inter_op_num_threads = 1
    step = ort.InferenceSession(os.path.join(d, "train_step.onnx"), so, providers=["CPUExecutionProvider"])
    params = {f["name"] for f in index["feeds"] if f.get("random")}
    infer_feeds = {k: feeds[k] for k in index["inferInputs"]}
    model = os.path.join(d, "infer.onnx")
    if bake:
        # the serving export's case: parameters moved from graph inputs to initializers (constant-folded and
        # pre-packed by ORT), as `hybridoc export` writes them
        import onnx
        from onnx import numpy_helper

        m = onnx.load(model)
        baked = [i for i in m.graph.input if i.name in params]
        for i in baked:
            m.graph.input.remove(i)
            m.graph.initializer.append(numpy_helper.from_array(infer_feeds.pop(i.name), i.name))
        model = m.SerializeToString()
    infer = ort.InferenceSession(model, so, providers=["CPUExecutionProvider"])
    cases = {"forward": lambda: infer.run(None, infer_feeds), "train_step": lambda: step.run(None, feeds)}
    times = {k: {"wall": [], "cpu": []} for k in cases}
    for r in range(-2, reps):
        for k, fn in cases.items():
            c, t = time.process_time(), time.perf_counter()
            fn()
            if r >= 0:
                times[k]["wall"].append(1000 * (time.perf_counter() - t))
                times[k]["cpu"].append(1000 * (time.process_time() - c))
    stats = {k: {m: {"min": min(v), "median": float(np.median(v))} for m, v in kv.items()} for k, kv in times.items()}
    ratio = {m: stats["train_step"][m]["min"] / stats["forward"][m]["min"] for m in ("wall", "cpu")}
    return {"model": index["model"], "preset": index["preset"], "batch": index["batch"], "seq": index["seq"],
            "threads": threads, "bakedForward": bake, "ms": stats, "stepOverForward": ratio}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dirs", nargs="+")
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--reps", type=int, default=10)
    ap.add_argument("--bake", action="store_true", help="forward with the parameters as initializers (serving export)")
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args()
    rows = [measure(d, int(t), a.reps, a.bake) for d in a.dirs for t in a.threads.split(",")]
    if a.json:
        print(json.dumps({"onnxruntime": ort.__version__, "cpu": platform.processor(), "rows": rows}))
        return
    print(f"onnxruntime {ort.__version__} (Python), {os.cpu_count()} CPUs, {platform.processor() or platform.machine()}")
    for r in rows:
        f, s = r["ms"]["forward"], r["ms"]["train_step"]
        what = "forward (parameters baked in)" if r["bakedForward"] else "forward"
        print(f"{r['model']} {r['preset']} {r['batch']}x{r['seq']}, {r['threads']} thread(s): {what} {f['wall']['min']:.1f} ms "
              f"(median {f['wall']['median']:.1f}), train step {s['wall']['min']:.1f} ms (median {s['wall']['median']:.1f}); "
              f"step / forward {r['stepOverForward']['wall']:.2f}x wall, {r['stepOverForward']['cpu']:.2f}x cpu")


if __name__ == "__main__":
    main()
