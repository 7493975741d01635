"""Template for a Cajal external method (PROTOCOL.md, protocol 1). Copy this folder, edit method.json (id, name,
tasks, description, authors) and replace solve() below.

The harness runs `command` from method.json once per instance, in this folder, with exactly these variables:
  CAJAL_PROTOCOL  "1"
  CAJAL_TASK      the task id, e.g. "feature-recovery"
  CAJAL_INPUT     read-only directory: task.json and one <name>.npy per input (float32 or int32)
  CAJAL_OUTPUT    empty directory: write every output listed in task.json "outputs" here, then exit 0
  CAJAL_SEED      integer seed for your own randomness
  CAJAL_THREADS   CPU threads you may use
  (plus PATH, HOME = an empty directory, LANG, TMPDIR)
In the sandbox there is no network and nothing is writable except CAJAL_OUTPUT, TMPDIR and HOME. Print what helps
you debug: the last 64 KiB of stdout/stderr are kept with the run. A non-zero exit is recorded as an error with
the tail of stderr."""
import json
import os

# Limit BLAS threads to what the harness grants (must happen before numpy is imported).
_threads = os.environ.get("CAJAL_THREADS", "1")
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = _threads

import numpy as np  # noqa: E402  (Debian: apt-get install python3-numpy)


def solve(task, inputs, rng):
    """Return {output name: value}: a numpy array of the shape task.json asks for, or for a JSON output
    (result.json) a dict with a finite number for each of its keys. This template returns zeros."""
    outputs = {}
    for name, spec in task["outputs"].items():
        if "keys" in spec:  # a scalar output: result.json with these keys, e.g. {"dimension": 3.2}
            outputs[name] = {key: 0.0 for key in spec["keys"]}
        else:  # an array output; -1 in a shape means "any length"
            shape = [s if s >= 0 else 1 for s in spec["shape"]]
            outputs[name] = np.zeros(shape, dtype=np.float32)
    return outputs


def main():
    inp, out = os.environ["CAJAL_INPUT"], os.environ["CAJAL_OUTPUT"]
    with open(os.path.join(inp, "task.json")) as f:
        task = json.load(f)
    # task["params"] holds the instance's parameters (e.g. nFeatures); task["inputs"] names the input files.
    inputs = {name: np.load(os.path.join(inp, spec["file"])) for name, spec in task["inputs"].items()}
    rng = np.random.default_rng(int(os.environ.get("CAJAL_SEED", "0")))
    outputs = solve(task, inputs, rng)

    result = {}
    for name, spec in task["outputs"].items():
        value = outputs[name]
        if "keys" in spec:
            result.update({key: float(value[key]) for key in spec["keys"]})
        else:
            # float32 or float64, C order, the exact shape; values must be finite.
            np.save(os.path.join(out, spec["file"]), np.ascontiguousarray(value, dtype=np.float32))
    if result:
        with open(os.path.join(out, "result.json"), "w") as f:
            json.dump(result, f)


if __name__ == "__main__":
    main()
