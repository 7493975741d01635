"""Reference for the `twonn` baseline (T3 intrinsic-dimension): TwoNN (Facco et al. 2017) in numpy. mu = r2/r1
from brute-force BLAS nearest neighbours (_common.nearest_distances: same neighbour definition as the
baseline), slope through the origin of -log(1 - F(mu)) against log mu after discarding the largest
`discard` fraction of mu. See _common.py for the command line and the timing protocol."""
import numpy as np
from _common import load_input, load_task, nearest_distances, parse_args, report, save_result, timed

DEFAULTS = {"discard": 0.1}


def main():
    args = parse_args(DEFAULTS)
    task = load_task(args.input)
    x = load_input(args.input, task, "activity")
    discard = args.params["discard"]

    def compute():
        dist = nearest_distances(x, 2)
        r1, r2 = dist[:, 0], dist[:, 1]
        ok = np.isfinite(r2) & (r1 > 0)
        mu = np.sort(r2[ok] / r1[ok])
        m = mu.size
        keep = int(np.floor(m * (1 - discard)))
        xv = np.log(mu[:keep])
        yv = -np.log(1 - np.arange(1, keep + 1) / m)
        sxx = float(xv @ xv)
        return float(xv @ yv) / sxx if sxx > 0 else 1.0

    dim, times = timed(compute, args.repeat, args.warmup)
    save_result(args.output, task, {"dimension": max(dim, 1e-6)})
    report("numpy TwoNN", times, {"dimension": dim})


if __name__ == "__main__":
    main()
