#!/usr/bin/env python3
# PyTorch reference of one lssd training step for the CPU-sized patch families: the same towers
# (patch embedding, position table, pre-norm transformer or MLP blocks, final norm, mean pool, output
# projection when widths differ), the same MLP projection heads with L2 normalisation, the same NT-Xent
# of Eq. 1 (both directions as negatives, per-device groups; untracked-by-gradient terms still
# computed), the same AdamW (decoupled decay on matrices only) and the same batch. bench/train.ts
# derives the model description from the compiled Plan and passes it as JSON on stdin, so this script
# hard-codes no shape; it prints one JSON line with the step times.
#
#   node --import tsx bench/train.ts            (runs this with 1 and 2 threads when torch imports)
#   echo '<model json>' | OMP_NUM_THREADS=2 python3 bench/train_torch.py --threads 2 --steps 12
import argparse
import json
import math
import sys
import time

ap = argparse.ArgumentParser()
ap.add_argument('--threads', type=int, required=True)
ap.add_argument('--steps', type=int, default=12)
args = ap.parse_args()

try:
    import torch
    import torch.nn as nn
    import torch.nn.functional as F
except ImportError as e:  # bench/train.ts probes for torch first; this is for direct use
    print(json.dumps({'skipped': f'torch is not importable by {sys.executable}: {e}'}))
    sys.exit(0)

torch.set_num_threads(args.threads)
torch.manual_seed(0)
spec = json.load(sys.stdin)


class Block(nn.Module):
    def __init__(self, dim, hidden, heads):
        super().__init__()
        self.heads = heads
        if heads:
            self.ln1 = nn.LayerNorm(dim, eps=1e-5)
            self.qkv = nn.Linear(dim, 3 * dim)
            self.proj = nn.Linear(dim, dim)
        self.ln2 = nn.LayerNorm(dim, eps=1e-5)
        self.fc1 = nn.Linear(dim, hidden)
        self.fc2 = nn.Linear(hidden, dim)

    def forward(self, h):  # h [n, N, d]
        if self.heads:
            n, N, d = h.shape
            hd = d // self.heads
            q, k, v = self.qkv(self.ln1(h)).view(n, N, 3, self.heads, hd).permute(2, 0, 3, 1, 4)
            p = torch.softmax((q @ k.transpose(-2, -1)) * (1 / math.sqrt(hd)), dim=-1)
            h = h + self.proj((p @ v).transpose(1, 2).reshape(n, N, d))
        return h + self.fc2(F.relu(self.fc1(self.ln2(h))))


class PatchTower(nn.Module):
    def __init__(self, t):
        super().__init__()
        self.dims, self.channels, self.patch = t['dims'], t['channels'], t['patch']
        self.grid = [d // p for d, p in zip(self.dims, self.patch)]
        N = math.prod(self.grid)
        P = math.prod(self.patch) * self.channels
        dim = t['dim']
        self.embed = nn.Linear(P, dim)
        self.pos = nn.Parameter(torch.randn(N, dim) * 0.02)
        self.blocks = nn.ModuleList([Block(dim, round(dim * t['mlp_ratio']), t['heads']) for _ in range(t['depth'])])
        self.norm = nn.LayerNorm(dim, eps=1e-5)
        self.out = nn.Linear(dim, t['outputDim']) if dim != t['outputDim'] else None

    def patchify(self, x):
        # x [n, *dims, C] → [n, N, P]: tokens in grid order, taps patch-major then channels (as the
        # lssd tower's patchify, which bench/train.ts also times as input preparation).
        n, r = x.shape[0], len(self.dims)
        x = x[(slice(None),) + tuple(slice(0, g * p) for g, p in zip(self.grid, self.patch))]
        shape = [n]
        for g, p in zip(self.grid, self.patch):
            shape += [g, p]
        x = x.reshape(*shape, self.channels)
        perm = [0] + [1 + 2 * i for i in range(r)] + [2 + 2 * i for i in range(r)] + [1 + 2 * r]
        return x.permute(*perm).reshape(n, math.prod(self.grid), -1)

    def forward(self, x):
        h = self.embed(self.patchify(x)) + self.pos
        for b in self.blocks:
            h = b(h)
        pooled = self.norm(h).mean(1)
        return self.out(pooled) if self.out is not None else pooled


class Head(nn.Module):
    def __init__(self, h):
        super().__init__()
        dims = [h['inputDim']] + h['layers']
        self.layers = nn.ModuleList([nn.Linear(a, b) for a, b in zip(dims, dims[1:])])

    def forward(self, x):
        for i, l in enumerate(self.layers):
            x = l(x)
            if i < len(self.layers) - 1:
                x = F.relu(x)
        return x * torch.rsqrt((x * x).sum(-1, keepdim=True) + 1e-12)  # ops.ts l2Normalize


MASK = -1e9


def nt_xent(x, y, tau):
    B = x.shape[0]
    s = (x @ y.t()) / tau
    logits = torch.cat([s, s.t() + torch.eye(B) * MASK], 1)
    pos = (x * y).sum(1) / tau
    return (torch.logsumexp(logits, 1) - pos).mean()


def nt_xent_grouped(x, y, tau, groups):
    if groups <= 1:
        return nt_xent(x, y, tau)
    return sum(nt_xent(a, b, tau) for a, b in zip(x.chunk(groups), y.chunk(groups))) / groups


towers = nn.ModuleDict({name: PatchTower(t) for name, t in spec['towers'].items()})
heads = nn.ModuleList([Head(h) for h in spec['heads']])
model = nn.ModuleDict({'towers': towers, 'heads': heads})
decay = [p for n, p in model.named_parameters() if n.endswith('weight') and p.dim() >= 2]
no_decay = [p for n, p in model.named_parameters() if not (n.endswith('weight') and p.dim() >= 2)]
o = spec['optim']
opt = torch.optim.AdamW([{'params': decay, 'weight_decay': o['weightDecay']}, {'params': no_decay, 'weight_decay': 0.0}],
                        lr=o['lr'], betas=(o['beta1'], o['beta2']), eps=o['eps'])
B = spec['batch']
batches = []
for s in range(2):
    g = torch.Generator().manual_seed(s + 1)
    batches.append({name: torch.rand(2 * B, *t['input'], generator=g) for name, t in spec['towers'].items()})


def step(batch):
    rep = {name: towers[name](batch[name]) for name in towers}
    z = {}
    for h, hs in zip(heads, spec['heads']):
        zz = h(rep[hs['tower']])
        if len(hs['views']) == 2:
            z[hs['views'][0]], z[hs['views'][1]] = zz[:B], zz[B:]
        else:
            i = 0 if hs['views'][0] in ('v_p', 'a_p') else 1
            z[hs['views'][0]] = zz[i * B:(i + 1) * B]
    total = 0.0
    terms = {}
    for t in spec['loss']['terms']:
        parts = [nt_xent_grouped(z[a], z[b], spec['loss']['temperature'], spec['devices']) for a, b in t['pairs']]
        value = sum(parts) / len(parts)
        terms[t['name']] = value
        if t['optimised']:
            total = total + value * t['weight']
    opt.zero_grad(set_to_none=True)
    total.backward()
    opt.step()
    return float(total)


def blas():
    # The BLAS actually loaded (Debian's torch links libblas.so.3, an alternatives link to some build).
    try:
        with open('/proc/self/maps') as f:
            libs = {line.split()[-1] for line in f if 'openblas' in line.split()[-1] or 'mkl' in line.split()[-1]}
        return ', '.join('/'.join(p.split('/')[-2:]) for p in sorted(libs)) or 'unknown'
    except OSError:
        return 'unknown'


times, cpu = [], []
for i in range(args.steps + 1):  # the first step warms up
    t0, c0 = time.perf_counter(), time.process_time()  # process_time: user + system CPU of all threads
    loss = step(batches[i % 2])
    times.append((time.perf_counter() - t0) * 1000)
    cpu.append((time.process_time() - c0) * 1000)
times = sorted(times[1:])
cpu = sorted(cpu[1:])
print(json.dumps({
    'threads': args.threads, 'torch': torch.__version__, 'steps': args.steps, 'stepMs': times[len(times) // 2], 'bestMs': times[0], 'cpuMs': cpu[len(cpu) // 2],
    'params': sum(p.numel() for p in model.parameters()), 'loss': loss,
    'blas': blas(),
}))
