"""Reference for the `knn` baseline (T2 latent-decoding): scikit-learn's KNeighborsRegressor (linear targets;
circular targets as (cos, sin), then atan2 of the neighbours' mean unit vector, as methods/knn) or
KNeighborsClassifier (categorical: majority vote), on StandardScaler'd activity, with k chosen from the
baseline's grid (KNN_KS) by GridSearchCV over KFold(folds) without shuffling (contiguous blocks, as the
baseline). Scoring: R^2 (regression) or balanced accuracy (classification). See _common.py for the command
line and the timing protocol."""
import math

import numpy as np
from _common import decode_outputs, encode_targets, load_input, load_task, parse_args, report, save_array, timed
from sklearn.model_selection import GridSearchCV, KFold
from sklearn.neighbors import KNeighborsClassifier, KNeighborsRegressor
from sklearn.preprocessing import StandardScaler

DEFAULTS = {"ks": [1, 3, 5, 9, 15, 25, 41, 65], "folds": 5}


def main():
    args = parse_args(DEFAULTS)
    p = args.params
    task = load_task(args.input)
    params = task["params"]
    kind, n_classes = params["targetKind"], params.get("nClasses")
    x_train = load_input(args.input, task, "trainActivity")
    y_train = load_input(args.input, task, "trainTarget")
    x_test = load_input(args.input, task, "testActivity")
    n_train, q = y_train.shape
    ks = [k for k in p["ks"] if k <= max(1, n_train - math.ceil(n_train / p["folds"]))]
    state = {}

    def compute():
        scaler = StandardScaler().fit(x_train)
        xs, xt = scaler.transform(x_train), scaler.transform(x_test)
        cv = KFold(n_splits=p["folds"], shuffle=False)
        if kind == "categorical":
            out = np.empty((xt.shape[0], q))
            for j in range(q):  # one classifier per target column (q = 1 in practice)
                search = GridSearchCV(KNeighborsClassifier(), {"n_neighbors": ks}, cv=cv, scoring="balanced_accuracy")
                search.fit(xs, np.rint(y_train[:, j]).astype(int))
                out[:, j] = search.predict(xt)
        else:
            search = GridSearchCV(KNeighborsRegressor(), {"n_neighbors": ks}, cv=cv)
            search.fit(xs, encode_targets(kind, y_train))
            out = decode_outputs(kind, search.predict(xt), q)
        state["k"] = int(search.best_params_["n_neighbors"])
        return out

    prediction, times = timed(compute, args.repeat, args.warmup)
    save_array(args.output, task, "testPrediction", prediction)
    report("sklearn.neighbors.KNeighbors* + GridSearchCV", times, {"k": state["k"], "targetKind": kind})


if __name__ == "__main__":
    main()
