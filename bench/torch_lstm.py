#!/usr/bin/python3
"""PyTorch peer of the epoch benchmark (bench/epoch_bench.ts).

Trains the experiment-01 model in PyTorch on the rows the TypeScript side
exported, so both sides see identical data:

    nn.Embedding(V, 500) -> nn.LSTM(500, 64, batch_first=True) -> nn.Linear(64, 5)
    Adam(lr 1e-3, betas (0.9, 0.999), eps 1e-7), cross-entropy on the logits,
    batch 128, shuffled every epoch; validation in batches of 256.

Two masked forms (--mode):
  packed   pack_padded_sequence(enforce_sorted=False); the last state is h_n.
  trimmed  every batch cut to its longest row and run unpacked; the output
           is read at each row's last real token (post-padding: the steps
           after it cannot change that output or its gradient).
Both forms cut each batch to its longest row before the embedding lookup.

Data folder (written by epoch_bench.ts): meta.json plus little-endian int32
files <split>_ids.i32 [rows, timesteps], <split>_labels.i32 [rows] and
<split>_lengths.i32 [rows] (real tokens per row) for split in train, val.

Standalone:  /usr/bin/python3 bench/torch_lstm.py --data DIR --mode packed
Under the bench (--serve): one JSON message per line on stdout, each
prefixed with "@bench "; reads "epoch" or "quit" lines on stdin.

Needs Debian's python3-torch (1.13 on Debian 12):
    apt-get install --no-install-recommends python3-torch
"""

import argparse
import json
import os
import sys
import time

PREFIX = "@bench "
INSTALL_HINT = (
    "PyTorch is not importable by this Python; on Debian/Ubuntu: "
    "sudo apt-get install --no-install-recommends python3-torch "
    "(and run the bench with /usr/bin/python3)"
)


def send(message):
    """Writes one protocol message (a JSON object) on its own line."""
    sys.stdout.write(PREFIX + json.dumps(message) + "\n")
    sys.stdout.flush()


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--data", required=True, help="folder written by epoch_bench.ts")
    p.add_argument("--mode", choices=["packed", "trimmed"], required=True)
    p.add_argument("--threads", type=int, default=2, help="torch intra-op threads (default 2)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--epochs", type=int, default=3,
                   help="standalone only: measured epochs after one warm-up (default 3)")
    p.add_argument("--serve", action="store_true", help="line protocol for epoch_bench.ts")
    args = p.parse_args()
    if args.threads < 1:
        p.error(f"--threads must be at least 1: current value is {args.threads}")
    if args.epochs < 1:
        p.error(f"--epochs must be at least 1: current value is {args.epochs}")
    return args


def blas_in_use():
    """The BLAS library this process mapped (from /proc/self/maps), named."""
    try:
        with open("/proc/self/maps", encoding="utf-8") as f:
            paths = {line.split()[-1] for line in f if "/" in line}
    except OSError:
        return "unknown (no /proc/self/maps)"
    libs = sorted(os.path.realpath(p) for p in paths
                  if any(k in os.path.basename(p).lower()
                         for k in ("blas", "mkl_rt", "blis", "atlas")))
    if not libs:
        return "none mapped"
    kinds = []
    for lib in libs:
        low = lib.lower()
        if "openblas" in low:
            kinds.append("OpenBLAS")
        elif "mkl" in low:
            kinds.append("MKL")
        elif "blis" in low:
            kinds.append("BLIS")
        elif "atlas" in low:
            kinds.append("ATLAS")
        elif "/blas/libblas" in low:
            kinds.append("reference BLAS (Debian libblas3)")
    name = kinds[0] if kinds else "unrecognised BLAS"
    return f"{name}: {', '.join(libs)}"


def load_split(np, folder, meta, name):
    """Reads one exported split; checks sizes against meta.json."""
    info = meta["splits"][name]
    rows, steps = info["rows"], info["timesteps"]
    arrays = {}
    for key, count in (("ids", rows * steps), ("labels", rows), ("lengths", rows)):
        path = os.path.join(folder, info[key])
        a = np.fromfile(path, dtype="<i4")
        if a.size != count:
            raise ValueError(f"{path}: expected {count} int32 values, found {a.size}")
        arrays[key] = a
    lengths = arrays["lengths"]
    if lengths.min() < 1 or lengths.max() > steps:
        raise ValueError(
            f"{os.path.join(folder, info['lengths'])}: lengths must be in [1, {steps}]: "
            f"found {lengths.min()}..{lengths.max()}")
    return arrays["ids"].reshape(rows, steps), arrays["labels"], lengths


def main():
    args = parse_args()
    try:
        import numpy as np
        import torch
        from torch import nn
        from torch.nn.utils.rnn import pack_padded_sequence
    except ImportError as e:
        if args.serve:
            send({"type": "error", "message": f"{INSTALL_HINT} ({e})"})
        else:
            print(f"{INSTALL_HINT} ({e})", file=sys.stderr)
        return 3

    with open(os.path.join(args.data, "meta.json"), encoding="utf-8") as f:
        meta = json.load(f)
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)

    def as_tensors(split):
        ids, labels, lengths = load_split(np, args.data, meta, split)
        return (torch.from_numpy(ids.astype(np.int64)),
                torch.from_numpy(labels.astype(np.int64)),
                torch.from_numpy(lengths.astype(np.int64)))

    train_ids, train_labels, train_lengths = as_tensors("train")
    val_ids, val_labels, val_lengths = as_tensors("val")
    m = meta["model"]
    opt_cfg = meta["optimiser"]

    class Classifier(nn.Module):
        def __init__(self):
            super().__init__()
            self.embedding = nn.Embedding(meta["embeddingRows"], m["embeddingDim"])
            self.lstm = nn.LSTM(m["embeddingDim"], m["units"], batch_first=True)
            self.dense = nn.Linear(m["units"], meta["classes"])

        def forward(self, ids, lengths):
            # ids [B, Tb] (Tb = the batch's longest row), lengths [B] int64 on the CPU.
            x = self.embedding(ids)
            if args.mode == "packed":
                packed = pack_padded_sequence(x, lengths, batch_first=True,
                                              enforce_sorted=False)
                _, (h, _) = self.lstm(packed)
                last = h[-1]  # already back in the batch's row order
            else:
                out, _ = self.lstm(x)
                last = out[torch.arange(ids.shape[0]), lengths - 1]
            return self.dense(last)

    model = Classifier()
    optimiser = torch.optim.Adam(
        model.parameters(), lr=opt_cfg["learningRate"],
        betas=(opt_cfg["beta1"], opt_cfg["beta2"]), eps=opt_cfg["epsilon"])
    loss_fn = nn.CrossEntropyLoss()
    generator = torch.Generator().manual_seed(args.seed)
    batch_size = opt_cfg["batchSize"]
    predict_batch = opt_cfg["predictBatchSize"] or val_ids.shape[0]
    units, emb = m["units"], m["embeddingDim"]

    def cut(ids, lengths, rows):
        lens = lengths[rows]
        steps = int(lens.max())
        return ids[rows, :steps], lens, steps

    def epoch():
        """One epoch: training then validation. Returns the epoch message."""
        t0 = time.perf_counter()
        model.train()
        n = train_ids.shape[0]
        order = torch.randperm(n, generator=generator)
        loss_sum = 0.0
        correct = 0
        executed = 0  # token-steps the LSTM ran (padded steps included)
        for start in range(0, n, batch_size):
            rows = order[start:start + batch_size]
            x, lens, steps = cut(train_ids, train_lengths, rows)
            y = train_labels[rows]
            optimiser.zero_grad()
            logits = model(x, lens)
            loss = loss_fn(logits, y)
            loss.backward()
            optimiser.step()
            loss_sum += loss.item() * len(rows)
            correct += int((logits.argmax(1) == y).sum())
            executed += int(lens.sum()) if args.mode == "packed" else len(rows) * steps
        t1 = time.perf_counter()
        model.eval()
        val_loss = 0.0
        val_correct = 0
        val_executed = 0
        nv = val_ids.shape[0]
        with torch.no_grad():
            for start in range(0, nv, predict_batch):
                rows = torch.arange(start, min(start + predict_batch, nv))
                x, lens, steps = cut(val_ids, val_lengths, rows)
                y = val_labels[rows]
                logits = model(x, lens)
                val_loss += float(nn.functional.cross_entropy(logits, y, reduction="sum"))
                val_correct += int((logits.argmax(1) == y).sum())
                val_executed += int(lens.sum()) if args.mode == "packed" else len(rows) * steps
        t2 = time.perf_counter()
        per_token = 2 * emb * 4 * units + 2 * units * 4 * units
        return {
            "type": "epoch",
            "seconds": t2 - t0,
            "trainSeconds": t1 - t0,
            "valSeconds": t2 - t1,
            "loss": loss_sum / n,
            "accuracy": correct / n,
            "valLoss": val_loss / nv,
            "valAccuracy": val_correct / nv,
            "executedFlops": 3 * per_token * executed + per_token * val_executed,
        }

    ready = {
        "type": "ready",
        "detail": {
            "torch": torch.__version__,
            "numpy": np.__version__,
            "python": sys.version.split()[0],
            "threads": torch.get_num_threads(),
            "interopThreads": torch.get_num_interop_threads(),
            "blas": blas_in_use(),
            "mode": args.mode,
            "parameters": sum(p.numel() for p in model.parameters()),
        },
    }
    if not args.serve:
        d = ready["detail"]
        print(f"torch {d['torch']}, {d['threads']} threads, mode {args.mode}, "
              f"{d['parameters']} parameters; BLAS {d['blas']}")
        for i in range(args.epochs + 1):
            r = epoch()
            tag = "warm-up" if i == 0 else f"epoch {i}"
            print(f"{tag:>8}: {r['seconds']:.2f} s (train {r['trainSeconds']:.2f}, "
                  f"val {r['valSeconds']:.2f})  loss {r['loss']:.4f}  "
                  f"val loss {r['valLoss']:.4f}  val acc {r['valAccuracy']:.3f}")
        return 0

    send(ready)
    while True:
        line = sys.stdin.readline()
        command = line.strip()
        if command == "epoch":
            send(epoch())
        elif command == "quit" or line == "":
            break
        else:
            send({"type": "error", "message": f"unknown command {command!r}"})
            return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
