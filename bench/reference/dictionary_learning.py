"""Reference for sparse dictionary learning (T1 feature-recovery): scikit-learn's MiniBatchDictionaryLearning
with k atoms, as methods/dictionary-learning describes itself (MiniBatchDictionaryLearning(positive_code=True,
fit_algorithm="cd") on data centred and scaled to unit mean squared norm, L1 penalty alpha, minibatches of
batchSize, maxIter epochs, no early stopping unless earlyStopping). sklearn has no intercept, so the data are
centred instead of learning one. The dictionary is components_ (k x d, unit rows). Hyper-parameters via --params
(bench/reference.ts passes the baseline's DL_DEFAULTS when it can load them). See _common.py for the command
line and the timing protocol."""
import numpy as np
from _common import load_input, load_task, parse_args, report, save_array, timed
from sklearn.decomposition import MiniBatchDictionaryLearning

# earlyStopping False runs all maxIter epochs (tol=0, max_no_improvement=None), as the baseline does; True keeps
# sklearn's default early stopping (tol=1e-3, max_no_improvement=10), what a Python user gets without asking.
DEFAULTS = {"alpha": 0.1, "batchSize": 256, "maxIter": 10, "positiveCode": True, "fitAlgorithm": "cd", "earlyStopping": False}


def main():
    args = parse_args(DEFAULTS)
    p = args.params
    task = load_task(args.input)
    x = load_input(args.input, task, "activations")
    k, d = task["outputs"]["dictionary"]["shape"]
    state = {}

    def compute():
        xc = x - x.mean(axis=0)
        ms = float((xc * xc).sum()) / xc.shape[0]
        xs = xc / np.sqrt(ms) if ms > 0 else xc
        dl = MiniBatchDictionaryLearning(
            n_components=k,
            alpha=p["alpha"],
            batch_size=p["batchSize"],
            max_iter=p["maxIter"],
            fit_algorithm=p["fitAlgorithm"],
            transform_algorithm="lasso_cd",
            positive_code=p["positiveCode"],
            random_state=args.seed,
            **({} if p["earlyStopping"] else {"tol": 0.0, "max_no_improvement": None}),
        )
        dl.fit(xs)
        state["steps"] = int(dl.n_steps_)
        return dl.components_

    dictionary, times = timed(compute, args.repeat, args.warmup)
    save_array(args.output, task, "dictionary", dictionary)
    report("sklearn.decomposition.MiniBatchDictionaryLearning", times, {"atoms": k, "steps": state["steps"], **p})


if __name__ == "__main__":
    main()
