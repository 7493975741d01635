"""Reference for the `mle` baseline (T3 intrinsic-dimension): Levina-Bickel maximum likelihood in numpy, with
MacKay-Ghahramani averaging of the inverse local estimates, averaged over k = k1..k2 (10..20), on brute-force
BLAS nearest neighbours (_common.nearest_distances). See _common.py for the command line and the timing
protocol."""
import numpy as np
from _common import load_input, load_task, nearest_distances, parse_args, report, save_result, timed

DEFAULTS = {"k1": 10, "k2": 20}


def main():
    args = parse_args(DEFAULTS)
    task = load_task(args.input)
    x = load_input(args.input, task, "activity")
    k1, k2 = int(args.params["k1"]), int(args.params["k2"])

    def compute():
        logs = np.log(nearest_distances(x, k2))
        estimates = []
        for k in range(k1, k2 + 1):
            rows = np.isfinite(logs[:, k - 1])
            if not rows.any():
                continue
            total = float((logs[rows, k - 1 : k] - logs[rows, : k - 1]).sum())
            count = (k - 1) * int(rows.sum())
            if count > 0 and total > 0:
                estimates.append(count / total)
        return float(np.mean(estimates)) if estimates else 1.0

    dim, times = timed(compute, args.repeat, args.warmup)
    save_result(args.output, task, {"dimension": max(dim, 1e-6)})
    report("numpy MLE (Levina-Bickel)", times, {"dimension": dim})


if __name__ == "__main__":
    main()
