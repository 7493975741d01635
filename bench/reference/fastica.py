"""Reference for the `fastica` baseline (T1 feature-recovery): scikit-learn's FastICA with the baseline's
settings (parallel algorithm, whiten="unit-variance", logcosh contrast, max_iter 200, tol 1e-4, min(k, d)
components). The dictionary rows are the columns of mixing_ (methods/fastica/README.md, step 4); rows beyond d
are zero. random_state is the seed the baseline gets (--seed). See _common.py for the command line."""
import numpy as np
from _common import load_input, load_task, parse_args, report, save_array, timed
from sklearn.decomposition import FastICA

DEFAULTS = {"alpha": 1, "maxIter": 200, "tol": 1e-4, "fun": "logcosh"}


def main():
    args = parse_args(DEFAULTS)
    p = args.params
    task = load_task(args.input)
    x = load_input(args.input, task, "activations")
    k, d = task["outputs"]["dictionary"]["shape"]
    m = min(k, d)
    state = {}

    def compute():
        ica = FastICA(
            n_components=m,
            algorithm="parallel",
            whiten="unit-variance",
            fun=p["fun"],
            fun_args={"alpha": p["alpha"]} if p["fun"] == "logcosh" else None,
            max_iter=p["maxIter"],
            tol=p["tol"],
            random_state=args.seed,
        )
        ica.fit(x)
        state["iterations"] = int(ica.n_iter_)
        dictionary = np.zeros((k, d), dtype=np.float32)
        dictionary[: ica.mixing_.shape[1]] = ica.mixing_.T
        return dictionary

    dictionary, times = timed(compute, args.repeat, args.warmup)
    save_array(args.output, task, "dictionary", dictionary)
    report("sklearn.decomposition.FastICA", times, {"components": m, "iterations": state["iterations"]})


if __name__ == "__main__":
    main()
