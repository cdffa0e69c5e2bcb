"""Writes the .pth fixtures of @od/torch's tests and the values torch reads from them.

Run with Debian's python3 (python3-torch 1.13), from packages/torch:

    /usr/bin/python3 scripts/make_fixtures.py          # writes test/fixtures/*.pth and *.json
    npx tsx scripts/od-export.ts                       # od writes test/fixtures/small_module.od.safetensors
    /usr/bin/python3 scripts/make_fixtures.py --check  # torch loads od's file strictly, writes the verdict

CI uses the committed outputs and does not need torch. Every tensor is made from torch.manual_seed(0).
"""

import argparse
import collections
import json
import math
import os
import struct
import sys

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "test", "fixtures")


def json_float(v: float):
    """A float for JSON: non-finite values as the strings JavaScript's Number() reads."""
    if math.isfinite(v):
        return v
    return "NaN" if math.isnan(v) else ("Infinity" if v > 0 else "-Infinity")


def describe(t: torch.Tensor) -> dict:
    """dtype, shape and the exact elements (row-major) of a tensor, in a JSON-safe form."""
    t = t.contiguous()
    d = {"dtype": str(t.dtype).removeprefix("torch."), "shape": list(t.shape)}
    if t.dtype in (torch.float16, torch.bfloat16):
        d["bits"] = t.view(torch.int16).flatten().numpy().astype(np.uint16).tolist()
        d["values"] = [json_float(v) for v in t.float().flatten().tolist()]
    elif t.dtype == torch.int64:
        d["values"] = [str(v) for v in t.flatten().tolist()]
    elif t.dtype == torch.bool:
        d["values"] = [int(v) for v in t.flatten().tolist()]
    elif t.dtype.is_floating_point:
        d["values"] = [json_float(v) for v in t.flatten().tolist()]
    else:
        d["values"] = t.flatten().tolist()
    return d


def state_dict_fixture() -> None:
    """An OrderedDict of tensors of every dtype, with views: an offset, a transpose, a shared storage."""
    g = torch.Generator().manual_seed(0)
    base = torch.randn(4, 6, generator=g)
    sd = collections.OrderedDict()
    sd["conv.weight"] = torch.randn(4, 3, 3, 3, generator=g)
    sd["conv.bias"] = torch.randn(4, generator=g)
    sd["half"] = torch.randn(5, generator=g).half()
    sd["half_special"] = torch.tensor([0.0, -0.0, float("inf"), float("-inf"), 65504.0, 6e-8, 1.0 / 3.0], dtype=torch.float16)
    sd["bf16"] = torch.randn(2, 3, generator=g).bfloat16()
    sd["double"] = torch.randn(3, generator=g, dtype=torch.float64)
    sd["bn.num_batches_tracked"] = torch.tensor(123456789012345, dtype=torch.int64)
    sd["long"] = torch.tensor([-(2**62), -1, 0, 2**53 + 1], dtype=torch.int64)
    sd["int"] = torch.tensor([-(2**31), -1, 7, 2**31 - 1], dtype=torch.int32)
    sd["short"] = torch.tensor([-32768, 5, 32767], dtype=torch.int16)
    sd["char"] = torch.tensor([-128, 0, 127], dtype=torch.int8)
    sd["byte"] = torch.arange(250, 256, dtype=torch.uint8)
    sd["mask"] = torch.tensor([True, False, True, True, False])
    sd["empty"] = torch.zeros(0, 3)
    sd["scalar"] = torch.tensor(2.5)
    # Views of one storage: whole, row with offset, transpose (non-contiguous), strided column slice.
    sd["shared.base"] = base
    sd["shared.row2"] = base[2]
    sd["shared.transposed"] = base.t()
    sd["shared.block"] = base[1:3, 2:5]
    sd["shared.every_other"] = base[:, ::2]
    sd["expanded"] = torch.randn(3, 1, generator=g).expand(3, 4)
    assert not sd["shared.transposed"].is_contiguous() and sd["shared.row2"].storage_offset() == 12
    torch.save(sd, os.path.join(OUT, "state_dict.pth"))
    write_json("state_dict.expected.json", {k: describe(v) for k, v in sd.items()})


class Small(torch.nn.Module):
    """Every parameter kind od converts: conv, depthwise conv, BatchNorm, linear."""

    def __init__(self) -> None:
        super().__init__()
        self.conv = torch.nn.Conv2d(3, 4, 3, padding=1)
        self.bn = torch.nn.BatchNorm2d(4, eps=0.001, momentum=0.03)
        self.dw = torch.nn.Conv2d(4, 8, 3, padding=1, groups=4, bias=False)
        self.fc = torch.nn.Linear(8, 5)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = torch.relu(self.bn(self.conv(x)))
        x = self.dw(x).mean(dim=(2, 3))
        return self.fc(x)


def small_module() -> Small:
    torch.manual_seed(0)
    m = Small().eval()
    with torch.no_grad():
        m.bn.running_mean.uniform_(-0.5, 0.5)
        m.bn.running_var.uniform_(0.5, 1.5)
        m.bn.num_batches_tracked.fill_(17)
    return m


def small_input() -> torch.Tensor:
    return torch.linspace(-1, 1, 2 * 3 * 5 * 5).reshape(2, 3, 5, 5)


def small_module_fixture() -> None:
    m = small_module()
    torch.save(m.state_dict(), os.path.join(OUT, "small_module.pth"))
    with torch.no_grad():
        y = m(small_input())
    sd = m.state_dict()
    c, m_ = 4, 2  # dw: groups = 4 input channels, channel multiplier 2
    tfjs = {
        # The usual torch → TensorFlow weight conversions, written with torch ops.
        "conv.weight": describe(sd["conv.weight"].permute(2, 3, 1, 0)),  # OIHW -> HWIO
        "dw.weight": describe(sd["dw.weight"].reshape(c, m_, 3, 3).permute(2, 3, 0, 1)),  # [C*m,1,kh,kw] -> [kh,kw,C,m]
        "fc.weight": describe(sd["fc.weight"].t()),  # [out,in] -> [in,out]
    }
    write_json("small_module.expected.json", {"input": describe(small_input()), "output": describe(y), "tfjs": tfjs})


def checkpoint_fixture() -> None:
    """A checkpoint as torchvision's detection reference scripts save it (train.py)."""
    m = small_module().train()
    opt = torch.optim.SGD(m.parameters(), lr=0.02, momentum=0.9, weight_decay=1e-4)
    sched = torch.optim.lr_scheduler.MultiStepLR(opt, milestones=[16, 22], gamma=0.1)
    loss = m(small_input()).square().mean()
    loss.backward()
    opt.step()
    sched.step()
    args = argparse.Namespace(lr=0.02, epochs=26, data_path="/datasets/coco", model="ssdlite320_mobilenet_v3_large")
    ckpt = {
        "model": m.state_dict(),
        "optimizer": opt.state_dict(),
        "lr_scheduler": sched.state_dict(),
        "args": args,
        "epoch": 3,
    }
    torch.save(ckpt, os.path.join(OUT, "checkpoint.pth"))
    write_json(
        "checkpoint.expected.json",
        {
            "model": {k: describe(v) for k, v in m.state_dict().items()},
            "epoch": 3,
            "args": vars(args),
            "momentum_buffer_0": describe(opt.state_dict()["state"][0]["momentum_buffer"]),
            "milestones": sched.state_dict()["milestones"],
        },
    )


class Evil:
    """Unpickling this would run a shell command: the reader must refuse it, never run it."""

    def __init__(self, fn):
        self.fn = fn

    def __reduce__(self):
        return (self.fn, ("echo od-must-never-run-this > /tmp/od-pwned",))


def malicious_fixtures() -> None:
    torch.save({"weight": torch.zeros(2), "payload": Evil(os.system)}, os.path.join(OUT, "malicious_os_system.pth"))
    torch.save(collections.OrderedDict(x=Evil(eval)), os.path.join(OUT, "malicious_eval.pth"))


def write_json(name: str, value) -> None:
    with open(os.path.join(OUT, name), "w") as f:
        json.dump(value, f, indent=1, allow_nan=False)
        f.write("\n")


NP_DTYPES = {"F32": np.float32, "F64": np.float64, "F16": np.float16, "I64": np.int64, "I32": np.int32, "U8": np.uint8, "BOOL": np.bool_}


def read_safetensors_numpy(path: str) -> dict:
    """A .safetensors reader in a few lines of numpy (python3-safetensors is not in Debian)."""
    with open(path, "rb") as f:
        raw = f.read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8 : 8 + n])
    header.pop("__metadata__", None)
    data = raw[8 + n :]
    out = {}
    for k, info in header.items():
        b, e = info["data_offsets"]
        arr = np.frombuffer(data[b:e], dtype=NP_DTYPES[info["dtype"]]).reshape(info["shape"])
        out[k] = torch.from_numpy(arr.copy())
    return out


def check_od_export() -> None:
    """torch loads the file od wrote from small_module.pth (strict) and runs it on the same input."""
    tensors = read_safetensors_numpy(os.path.join(OUT, "small_module.od.safetensors"))
    m = Small().eval()
    result = m.load_state_dict(tensors, strict=True)
    reference = small_module()
    with torch.no_grad():
        y = m(small_input())
        y_ref = reference(small_input())
    same = {k: bool(torch.equal(v, reference.state_dict()[k])) for k, v in m.state_dict().items()}
    write_json(
        "small_module.torch_check.json",
        {
            "torch": torch.__version__,
            "strict_load": {"missing_keys": result.missing_keys, "unexpected_keys": result.unexpected_keys},
            "tensors_equal": same,
            "max_abs_output_difference": float((y - y_ref).abs().max()),
        },
    )


if __name__ == "__main__":
    if "--check" in sys.argv:
        check_od_export()
    else:
        state_dict_fixture()
        small_module_fixture()
        checkpoint_fixture()
        malicious_fixtures()
