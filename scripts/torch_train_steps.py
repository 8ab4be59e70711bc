#!/usr/bin/env python3
"""PyTorch eager twin of benchmarks/train_steps.cpp: the same MLP and CNN (benchmarks/models.h),
data shapes, optimizers and timing (warm-up steps, then the median of `blocks` blocks of
`steps` steps, the device synchronized before every clock read); prints the same lines.
  scripts/torch_train_steps.py [--device cpu|cuda|cuda:N] [--steps N] [--blocks N] [--warmup N]
"""
import argparse
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class MLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1, self.fc2, self.fc3 = nn.Linear(784, 512), nn.Linear(512, 256), nn.Linear(256, 10)

    def forward(self, x):
        return self.fc3(F.relu(self.fc2(F.relu(self.fc1(x)))))


class CNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, 3, padding=1)
        self.conv2 = nn.Conv2d(32, 64, 3, padding=1)
        self.fc = nn.Linear(64 * 7 * 7, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        return self.fc(x.flatten(1))


def sync(device):
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def time_steps(name, args, device, step):
    first = step().item()
    for _ in range(1, args.warmup):
        step()
    sync(device)
    ms = []
    loss = None
    for _ in range(args.blocks):
        t0 = time.perf_counter()
        for _ in range(args.steps):
            loss = step()
        sync(device)
        ms.append((time.perf_counter() - t0) * 1e3 / args.steps)
    ms.sort()
    print(f"{name}: {ms[len(ms) // 2]:.4f} ms/step (loss {first:.4f} -> {loss.item():.4f})", flush=True)


def train_step(model, optimizer, x, y):
    """One step: cross-entropy of model(x) against y, backward, optimizer step."""

    def step():
        optimizer.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        optimizer.step()
        return loss

    return step


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--device", default="cpu")
    p.add_argument("--steps", type=int, default=20)
    p.add_argument("--blocks", type=int, default=5)
    p.add_argument("--warmup", type=int, default=10)
    args = p.parse_args()
    device = torch.device(args.device)
    if device.type == "cuda" and not torch.cuda.is_available():
        print("train_steps: no CUDA device, nothing measured")
        return 1
    # TF32 off, as in ember by default, so both sides do the same float32 arithmetic.
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    print(f"train_steps: pytorch {torch.__version__} on {args.device}")
    torch.manual_seed(0)

    mlp = MLP().to(device)
    sgd = torch.optim.SGD(mlp.parameters(), lr=0.01, momentum=0.9)
    x, y = torch.rand(128, 784, device=device), torch.randint(0, 10, (128,), device=device)

    time_steps("MLP 784-512-256-10, batch 128, SGD step", args, device, train_step(mlp, sgd, x, y))

    cnn = CNN().to(device)
    adam = torch.optim.Adam(cnn.parameters(), lr=1e-3)
    xc, yc = torch.rand(64, 1, 28, 28, device=device), torch.randint(0, 10, (64,), device=device)

    time_steps("CNN conv32-conv64-fc, batch 64, Adam step", args, device, train_step(cnn, adam, xc, yc))
    return 0


if __name__ == "__main__":
    sys.exit(main())
