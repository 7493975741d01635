"""Reference for the `pca` baseline (T1 feature-recovery): scikit-learn's PCA. The dictionary is components_
(the top min(k, d) principal directions, one per row, by decreasing variance); rows beyond d are zero, as in
methods/pca. See _common.py for the command line and the timing protocol."""
import numpy as np
from _common import load_input, load_task, parse_args, report, save_array, timed
from sklearn.decomposition import PCA


def main():
    args = parse_args()
    task = load_task(args.input)
    x = load_input(args.input, task, "activations")
    k, d = task["outputs"]["dictionary"]["shape"]
    m = min(k, d)

    def compute():
        pca = PCA(n_components=m).fit(x)
        dictionary = np.zeros((k, d), dtype=np.float32)
        dictionary[:m] = pca.components_
        return dictionary

    dictionary, times = timed(compute, args.repeat, args.warmup)
    save_array(args.output, task, "dictionary", dictionary)
    report("sklearn.decomposition.PCA", times, {"components": m})


if __name__ == "__main__":
    main()
