"""Reference for the `ridge` baseline (T2 latent-decoding): scikit-learn's RidgeCV on StandardScaler'd activity,
with methods/ridge's target encoding (linear: the values; circular: (cos, sin) then atan2; categorical: one-hot
then argmax) and its penalty grid (RIDGE_ALPHAS, relative to the mean eigenvalue of the centred Gram matrix).

--params {"cv": "blocked"} (default): cv=KFold(folds) without shuffling, i.e. contiguous blocks as the baseline
uses (GridSearchCV scores each penalty by R^2 of the encoded outputs; the baseline by the task score).
--params {"cv": "loo"}: RidgeCV's default efficient leave-one-out (GCV), what a Python user gets without
asking; it is faster but leaks across time in a time series. See _common.py for the command line."""
import numpy as np
from _common import decode_outputs, encode_targets, load_input, load_task, parse_args, report, save_array, timed
from sklearn.linear_model import RidgeCV
from sklearn.model_selection import KFold
from sklearn.preprocessing import StandardScaler

DEFAULTS = {"alphas": [10 ** (-5 + 0.5 * i) for i in range(15)], "folds": 5, "cv": "blocked"}


def main():
    args = parse_args(DEFAULTS)
    p = args.params
    task = load_task(args.input)
    params = task["params"]
    kind, n_classes = params["targetKind"], params.get("nClasses")
    x_train = load_input(args.input, task, "trainActivity")
    y_train = load_input(args.input, task, "trainTarget")
    x_test = load_input(args.input, task, "testActivity")
    q = y_train.shape[1]
    relative = np.asarray(p["alphas"], dtype=np.float64)
    state = {}

    def compute():
        scaler = StandardScaler().fit(x_train)
        xs, xt = scaler.transform(x_train), scaler.transform(x_test)
        # Penalties relative to the mean eigenvalue of the centred Gram matrix, as methods/ridge.
        scale = max(1e-12, float(((xs - xs.mean(axis=0)) ** 2).sum()) / xs.shape[1])
        cv = KFold(n_splits=p["folds"], shuffle=False) if p["cv"] == "blocked" else None
        model = RidgeCV(alphas=relative * scale, cv=cv).fit(xs, encode_targets(kind, y_train, n_classes))
        state["alpha"] = float(model.alpha_ / scale)
        return decode_outputs(kind, model.predict(xt), q, n_classes)

    prediction, times = timed(compute, args.repeat, args.warmup)
    save_array(args.output, task, "testPrediction", prediction)
    report(f"sklearn.linear_model.RidgeCV ({p['cv']})", times, {"relativeAlpha": state["alpha"], "targetKind": kind})


if __name__ == "__main__":
    main()
