#!/usr/bin/env python3
"""torch_twin.py - the PyTorch twin of pelab's trainable encoder, a benchmark aid
(not a test): `pelab bench --train --twin scripts/torch_twin.py` times it beside
pelab's own training step, on the same shape and thread count.

The model is built from the contract in include/pelab/train/model.h, scheme
none (no positions), mask none or causal, readout each:

    h0 = E_tok[tokens]
    block (pre-LN):  h += Attn(LN1(h));  h += MLP(LN2(h))
        Attn: q, k, v = x Wq + bq, x Wk + bk, x Wv + bv; per head of d/H:
              softmax(q k^T / sqrt(d/H)) v (materialised, as a framework does);
              o Wo + bo
        MLP:  GELU_tanh(x W1 + b1) W2 + b2, hidden mlp_ratio * d
    final LN; logits = z Wh + bh at every position; loss = mean cross-entropy
    AdamW: beta 0.9/0.999, eps 1e-8, weight decay 0.01 on matrices and tables
    (not on biases and LN parameters), as pelab_model_step.

One step = zero grads, forward, backward, optimiser step; the batch is a fixed
random batch of `vocab` tokens and `classes` targets. Timing: `--warmup` steps,
then `--repeat` timed steps; the median. Flops by pelab's convention
(pelab_bench_train_flops): 6 x matmul parameters x tokens, plus 14 n^2 d per
block and sequence for attention (half under a causal mask).

Output (one line, machine-readable):
    torch_twin seconds=S tokens_per_s=X gflops=G threads=T torch=VERSION
With --serve: after the warm-up it prints "ready torch=VERSION threads=T",
then times one step per line "step" read from stdin, answering
"seconds=S" each, until "quit" or end of input (pelab bench interleaves
these with its own steps).
"""
import argparse
import math
import statistics
import sys
import time


def train_flops(d, layers, heads, hidden, classes, batch, n, causal):
    """pelab's convention; must stay equal to pelab_bench_train_flops."""
    del heads
    matmul_params = layers * (4 * d * d + 2 * d * hidden) + d * classes
    tokens = batch * n
    attn = 14.0 * n * n * d * layers * batch
    if causal:
        attn /= 2
    return 6.0 * matmul_params * tokens + attn


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--d-model", type=int, default=256)
    ap.add_argument("--layers", type=int, default=2)
    ap.add_argument("--heads", type=int, default=8)
    ap.add_argument("--mlp-ratio", type=int, default=4)
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--seq-len", type=int, default=256)
    ap.add_argument("--vocab", type=int, default=16)
    ap.add_argument("--classes", type=int, default=16)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--causal", action="store_true")
    ap.add_argument("--serve", action="store_true")
    a = ap.parse_args()
    if a.d_model % a.heads:
        ap.error("--d-model must be a multiple of --heads")

    try:
        import torch
        import torch.nn as nn
        import torch.nn.functional as F
    except ImportError as e:  # pelab bench reports this as a skipped row
        print(f"torch_twin: no torch ({e})", file=sys.stderr)
        return 3

    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    D, H, Hd = a.d_model, a.heads, a.mlp_ratio * a.d_model
    dk = D // H

    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.ln1 = nn.LayerNorm(D, eps=1e-5)
            self.wq = nn.Linear(D, D)
            self.wk = nn.Linear(D, D)
            self.wv = nn.Linear(D, D)
            self.wo = nn.Linear(D, D)
            self.ln2 = nn.LayerNorm(D, eps=1e-5)
            self.fc = nn.Linear(D, Hd)
            self.proj = nn.Linear(Hd, D)

        def forward(self, h):
            B, n, _ = h.shape
            x = self.ln1(h)
            q = self.wq(x).view(B, n, H, dk).transpose(1, 2)
            k = self.wk(x).view(B, n, H, dk).transpose(1, 2)
            v = self.wv(x).view(B, n, H, dk).transpose(1, 2)
            s = torch.matmul(q, k.transpose(-2, -1)) * (1.0 / math.sqrt(dk))
            if a.causal:
                mask = torch.ones(n, n, dtype=torch.bool).triu(1)
                s = s.masked_fill(mask, float("-inf"))
            o = torch.matmul(torch.softmax(s, dim=-1), v).transpose(1, 2).reshape(B, n, D)
            h = h + self.wo(o)
            return h + self.proj(F.gelu(self.fc(self.ln2(h)), approximate="tanh"))

    class Model(nn.Module):
        def __init__(self):
            super().__init__()
            self.tok = nn.Embedding(a.vocab, D)
            self.blocks = nn.ModuleList([Block() for _ in range(a.layers)])
            self.lnf = nn.LayerNorm(D, eps=1e-5)
            self.head = nn.Linear(D, a.classes)

        def forward(self, tokens):
            h = self.tok(tokens)
            for b in self.blocks:
                h = b(h)
            return self.head(self.lnf(h))

    model = Model()
    decay = [p for p in model.parameters() if p.dim() >= 2]
    no_decay = [p for p in model.parameters() if p.dim() < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.01},
                             {"params": no_decay, "weight_decay": 0.0}],
                            lr=1e-3, betas=(0.9, 0.999), eps=1e-8)
    g = torch.Generator().manual_seed(1)
    tokens = torch.randint(0, a.vocab, (a.batch, a.seq_len), generator=g)
    targets = torch.randint(0, a.classes, (a.batch, a.seq_len), generator=g)

    def step():
        opt.zero_grad(set_to_none=False)
        logits = model(tokens)
        loss = F.cross_entropy(logits.view(-1, a.classes), targets.view(-1))
        loss.backward()
        opt.step()

    def timed():
        t0 = time.perf_counter()
        step()
        return time.perf_counter() - t0

    for _ in range(max(a.warmup, 1)):
        step()
    if a.serve:
        print(f"ready torch={torch.__version__} threads={torch.get_num_threads()}", flush=True)
        for line in sys.stdin:
            cmd = line.strip()
            if cmd == "quit":
                break
            if cmd == "step":
                print(f"seconds={timed():.9g}", flush=True)
        return 0
    s = statistics.median(timed() for _ in range(max(a.repeat, 1)))
    fl = train_flops(D, a.layers, H, Hd, a.classes, a.batch, a.seq_len, a.causal)
    print(f"torch_twin seconds={s:.6g} tokens_per_s={a.batch * a.seq_len / s:.6g} "
          f"gflops={fl / s * 1e-9:.6g} threads={torch.get_num_threads()} torch={torch.__version__}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
