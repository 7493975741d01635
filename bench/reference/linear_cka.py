"""Reference for the `linear-cka` baseline (T5 layer-correspondence): linear CKA in numpy (Kornblith et al.
2019), ||X^T Y||_F^2 / (||X^T X||_F ||Y^T Y||_F) of column-centred float64 parts, every A part against every B
part. See _common.py for the command line and the timing protocol."""
import numpy as np
from _common import load_input, load_task, parse_args, report, save_array, timed


def main():
    args = parse_args()
    task = load_task(args.input)
    L, M = int(task["params"]["L"]), int(task["params"]["M"])
    a = [load_input(args.input, task, f"a{i}") for i in range(L)]
    b = [load_input(args.input, task, f"b{j}") for j in range(M)]

    def compute():
        def prepare(x):
            x = np.asarray(x, dtype=np.float64)
            x = x - x.mean(axis=0)
            return x, np.linalg.norm(x.T @ x)

        pa, pb = [prepare(x) for x in a], [prepare(y) for y in b]
        sim = np.zeros((L, M))
        with np.errstate(all="ignore"):
            for i, (x, nx) in enumerate(pa):
                for j, (y, ny) in enumerate(pb):
                    sim[i, j] = np.linalg.norm(x.T @ y) ** 2 / (nx * ny)
        sim[~np.isfinite(sim)] = 0  # a constant part has no variance to compare, as the baseline
        return sim

    similarity, times = timed(compute, args.repeat, args.warmup)
    save_array(args.output, task, "similarity", similarity)
    report("numpy linear CKA", times, {"L": L, "M": M})


if __name__ == "__main__":
    main()
