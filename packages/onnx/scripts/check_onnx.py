"""Checks ONNX models exported by od with the ONNX checker (full_check: shape inference included).

Usage: /usr/bin/python3 packages/onnx/scripts/check_onnx.py model.onnx [more.onnx ...]
Needs the `onnx` Python package (Debian: apt install python3-onnx). Prints one JSON line per model.
"""

import json
import sys

import onnx


def check(path: str) -> dict:
    model = onnx.load(path)
    onnx.checker.check_model(model, full_check=True)
    meta = {p.key: p.value for p in model.metadata_props}
    return {
        "file": path,
        "ok": True,
        "onnx": onnx.__version__,
        "ir_version": model.ir_version,
        "opset": [o.version for o in model.opset_import],
        "nodes": len(model.graph.node),
        "ops": sorted({n.op_type for n in model.graph.node}),
        "od_format": meta.get("od.format"),
        "class_names": json.loads(meta.get("od.class_names", "null")),
    }


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit("usage: check_onnx.py model.onnx [more.onnx ...]")
    for p in sys.argv[1:]:
        print(json.dumps(check(p)))
