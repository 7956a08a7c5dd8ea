#!/usr/bin/env python3
"""PyTorch's training step on the GPU, beside ringtrain's webgpu step (scripts/gpu/verify-webgpu.sh).

The networks, loss, optimizer and random inputs of ../shared/anchors/torch_ddp.py `step`
(MLP 784-128-64-10, CNN 32c3-p2-64c3-p2-128-10), on CUDA, with the step ending in a
device synchronize so that each timed step has finished on the GPU.

  python3 scripts/gpu/torch_cuda_step.py --model cnn --batch 128 [--steps 200] [--warmup 20]

Prints one JSON object: the median and mean step time in ms.
"""
import argparse, json, statistics, time

import torch
import torch.nn as nn


def build(model):
    if model == "mlp":
        return nn.Sequential(nn.Flatten(), nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 64), nn.ReLU(), nn.Linear(64, 10))
    if model == "cnn":
        return nn.Sequential(nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(32, 64, 3), nn.ReLU(),
                             nn.MaxPool2d(2), nn.Flatten(), nn.Linear(1600, 128), nn.ReLU(), nn.Linear(128, 10))
    raise SystemExit(f"unknown model {model!r}: expected mlp or cnn")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model", default="cnn", help="mlp or cnn")
    p.add_argument("--batch", type=int, default=128, help="samples per step")
    p.add_argument("--steps", type=int, default=200, help="timed steps")
    p.add_argument("--warmup", type=int, default=20, help="untimed steps first (cuDNN autotuning, allocator)")
    a = p.parse_args()
    if not torch.cuda.is_available():
        raise SystemExit("torch.cuda.is_available() is False: this script needs an NVIDIA GPU and a CUDA build of PyTorch")
    dev = torch.device("cuda")
    torch.manual_seed(0)
    net = build(a.model).to(dev)
    opt = torch.optim.SGD(net.parameters(), lr=0.1)
    loss_fn = nn.CrossEntropyLoss()
    x, y = torch.rand(a.batch, 1, 28, 28, device=dev), torch.randint(0, 10, (a.batch,), device=dev)

    def step():
        opt.zero_grad()
        loss_fn(net(x), y).backward()
        opt.step()
        torch.cuda.synchronize()

    for _ in range(a.warmup):
        step()
    times = []
    for _ in range(a.steps):
        t = time.perf_counter()
        step()
        times.append((time.perf_counter() - t) * 1e3)
    print(json.dumps({"anchor": "torch-cuda", "torch": torch.__version__, "gpu": torch.cuda.get_device_name(0),
                      "model": a.model, "batch": a.batch, "steps": a.steps,
                      "median_ms": round(statistics.median(times), 4), "mean_ms": round(statistics.fmean(times), 4)}), flush=True)


if __name__ == "__main__":
    main()
