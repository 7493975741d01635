"""Cajal external method: random reference, an exact port of methods/random (TypeScript).

Every array output named in task.json is filled, in C order, with standard normal draws from an `Rng(CAJAL_SEED)`
and stored as float32: for the same CAJAL_SEED the arrays are bit-identical to what the in-process `random` method
returns for that seed. Pure Python (no numpy), so it also shows how little a method needs."""
import json
import os
import struct
import sys
from array import array

from cajal_rng import Rng


def save_npy_f4(path, shape, values):
    """Write a float32 .npy file (format 1.0), as numpy.save does."""
    data = array("f", values)  # C's (float) cast: round to nearest, like JavaScript's Float32Array
    if sys.byteorder == "big":
        data.byteswap()
    shape_text = "(" + ", ".join(str(s) for s in shape) + ("," if len(shape) == 1 else "") + ")"
    header = "{'descr': '<f4', 'fortran_order': False, 'shape': %s, }" % shape_text
    pad = 64 - (10 + len(header) + 1) % 64
    header = header + " " * (pad % 64) + "\n"
    with open(path, "wb") as f:
        f.write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode("latin1"))
        f.write(data.tobytes())


def main():
    inp, out = os.environ["CAJAL_INPUT"], os.environ["CAJAL_OUTPUT"]
    with open(os.path.join(inp, "task.json")) as f:
        task = json.load(f)
    rng = Rng(int(os.environ["CAJAL_SEED"]))
    # One generator for all outputs, in the order task.json lists them (as the TypeScript method does).
    for name, spec in task["outputs"].items():
        if "shape" not in spec:
            continue  # JSON (scalar) outputs: the TypeScript reference has none to draw either
        shape = [s if s >= 0 else 1 for s in spec["shape"]]
        size = 1
        for s in shape:
            size *= s
        values = [rng.normal() for _ in range(size)]
        save_npy_f4(os.path.join(out, spec["file"]), shape, values)


if __name__ == "__main__":
    main()
