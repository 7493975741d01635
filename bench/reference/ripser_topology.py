"""Reference for the `persistent-homology` baseline (T4 topology): examples/ripser-topology/run.py, the same
pipeline in numpy (sqrt transform, 8 principal components, 20-NN smoothing, 120 max-min landmarks) with the
Vietoris-Rips barcode computed by Debian's `ripser` program (apt-get install ripser), reused as is. The timed
computation is the whole pipeline, ripser's process included. See _common.py for the command line."""
import importlib.util
import os
import tempfile
import time

import numpy as np
from _common import load_input, load_task, parse_args, report, save_result, timed

RUN_PY = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "examples", "ripser-topology", "run.py")


def main():
    args = parse_args()
    spec = importlib.util.spec_from_file_location("ripser_topology_run", RUN_PY)
    rt = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(rt)
    ripser = rt.find_ripser()
    task = load_task(args.input)
    x = load_input(args.input, task, "activity").astype(np.float64)
    state = {}

    def compute():
        smooth = rt.knn_smooth(rt.project(x, rt.COMPONENTS), rt.SMOOTHING)
        indices, cover_radius = rt.max_min_landmarks(smooth, rt.LANDMARKS)
        t0 = time.perf_counter()
        with tempfile.TemporaryDirectory(prefix="cajal-ripser-") as tmpdir:
            bars = rt.ripser_barcode(ripser, smooth[indices], tmpdir)
        state["ripserMs"] = (time.perf_counter() - t0) * 1000
        return rt.betti_from_bars(bars, cover_radius)

    betti, times = timed(compute, args.repeat, args.warmup)
    save_result(args.output, task, {"betti": [int(b) for b in betti]})
    report("examples/ripser-topology (Debian ripser)", times, {"betti": [int(b) for b in betti], "ripserMs": state["ripserMs"]})


if __name__ == "__main__":
    main()
