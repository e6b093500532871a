"""Choose a model for CheckThat! 2024 Dutch or Spanish without looking at dev-test.

A short, fixed list of language-independent variants (``VARIANTS``, written down before
any was run) is scored on selection data only; dev-test is never read.

- Dutch (``--language nl``): trained on train, scored on dev (252 tweets); and 5-fold
  cross-validation inside train, folds contiguous in tweet-id order (pooled out-of-fold).
- Spanish (``--language es``): the benchmark's split (``checkthat2024.py``): dev sorted by
  tweet id, the 3,500 oldest train, the other 1,500 tune. Trained on the 3,500, scored on
  the 1,500; and 5-fold cross-validation inside the 3,500, folds contiguous in tweet-id
  order (the 1,500 are not used by it).

Printed per variant: average precision (AP) and the best F1 of Yes over all thresholds
(optimistic: the threshold is chosen on the scored data itself) on the held-out part,
and the pooled out-of-fold AP of the cross-validation. The rule fixed beforehand: a
variant replaces the current best (``tfidf-svm`` for Dutch, ``ngram-svm`` for Spanish)
only if its held-out AP *and* its cross-validated AP are both higher; among several such,
the one with the highest held-out AP. (This tie-break was written down after the first
five Dutch rows had been printed.)

Usage::

    python benchmarks/checkthat2024_variants.py --data ../shared/bench/checkthat2024 --language nl|es [--variants a,b]
"""

from __future__ import annotations

import argparse
import sys
import time

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.ensemble import VotingClassifier
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.pipeline import make_pipeline, make_union
from sklearn.preprocessing import normalize
from sklearn.svm import LinearSVC
from sklearn.utils.validation import check_array, check_is_fitted

from checkworthy.evaluation import estimators as e
from checkworthy.evaluation.baselines import make_baseline, positive_score
from checkworthy.evaluation.external import checkthat2024, tweet_id_order
from checkworthy.evaluation.harness import SplitData


class NBSVMClassifier(ClassifierMixin, BaseEstimator):
    """NB-SVM (Wang and Manning, ACL 2012): binary features scaled by their naive Bayes log-count ratio, linear SVM.

    For a class ``c`` the log-count ratio of feature ``j`` is
    ``r_j = log((p_j / |p|_1) / (q_j / |q|_1))`` with ``p = alpha + sum of the binarised rows of c``
    and ``q`` the same over the other rows. Each row is binarised, multiplied by ``r`` and
    L2-normalised, and a ``LinearSVC`` learns on that. Two classes: one SVM for
    ``classes_[1]``; more: one per class (one-vs-rest), the highest decision wins. (Wang and
    Manning also interpolate the weights with their mean; this keeps the plain SVM.)

    Parameters
    ----------
    alpha : float, default=1.0
        Additive smoothing of the counts.
    C : float, default=0.1
    class_weight : dict, "balanced" or None, default="balanced"
    random_state : int or None
    """

    def __init__(self, alpha=1.0, C=0.1, class_weight="balanced", random_state=None):
        self.alpha = alpha
        self.C = C
        self.class_weight = class_weight
        self.random_state = random_state

    @staticmethod
    def _binary(X):
        """0/1 indicators of the non-zero entries (a CSR copy for sparse input)."""
        X = check_array(X, accept_sparse="csr", dtype=np.float64, copy=True)
        if hasattr(X, "indices"):
            X.data[:] = X.data != 0
            X.eliminate_zeros()
            return X
        return (X != 0).astype(np.float64)

    @staticmethod
    def _scaled(X, ratio):
        """Each column of the binary ``X`` times its ratio, rows L2-normalised."""
        X = X.copy()
        if hasattr(X, "indices"):
            X.data *= ratio[X.indices]
        else:
            X *= ratio
        return normalize(X)

    def fit(self, X, y):
        y = np.asarray(y, dtype=object)
        self.classes_ = np.unique(y)
        if len(self.classes_) < 2:
            raise ValueError(f"NBSVMClassifier needs at least two classes in the training labels, found {list(self.classes_)}")
        X = self._binary(X)
        targets = self.classes_[1:] if len(self.classes_) == 2 else self.classes_
        self.ratios_, self.svms_ = [], []
        for target in targets:
            mask = y == target
            p = self.alpha + np.asarray(X[mask].sum(axis=0)).ravel()
            q = self.alpha + np.asarray(X[~mask].sum(axis=0)).ravel()
            ratio = np.log((p / p.sum()) / (q / q.sum()))
            svm = LinearSVC(C=self.C, class_weight=self.class_weight, random_state=self.random_state)
            self.ratios_.append(ratio)
            self.svms_.append(svm.fit(self._scaled(X, ratio), mask))
        return self

    def decision_function(self, X):
        check_is_fitted(self)
        X = self._binary(X)
        scores = np.column_stack([svm.decision_function(self._scaled(X, r)) for r, svm in zip(self.ratios_, self.svms_)])
        return scores[:, 0] if len(self.classes_) == 2 else scores

    def predict(self, X):
        return e.predict_from_scores(self.classes_, self.decision_function(X))



def nb_svm(random_state):
    """NB-SVM (Wang and Manning 2012) on ``ngram_svm``'s n-grams: links and mentions normalised, binary
    word 1-2-grams and character 1-4-grams, log-count-ratio scaling, ``LinearSVC(C=0.1)``."""
    return make_pipeline(
        e.LinkMentionNormaliser(),
        make_union(CountVectorizer(ngram_range=(1, 2), min_df=2, strip_accents="unicode", binary=True),
                   CountVectorizer(analyzer="char_wb", ngram_range=(1, 4), min_df=2, binary=True)),
        NBSVMClassifier(alpha=1.0, C=0.1, class_weight="balanced", random_state=random_state),
    )


def _recipes():
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegressionCV
    from sklearn.metrics import average_precision_score, make_scorer
    from sklearn.model_selection import GridSearchCV, StratifiedKFold
    from sklearn.naive_bayes import ComplementNB

    def ngram_features():
        return make_union(e.word_tfidf(), TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 4), sublinear_tf=True, min_df=2))

    def inner_cv():
        return StratifiedKFold(5)  # no shuffling: deterministic

    def ap(response_method):
        return make_scorer(average_precision_score, response_method=response_method, pos_label="Yes")

    return {
        "tfidf-svm": lambda seed: make_baseline("tfidf-svm", seed),
        "ngram-svm": lambda seed: make_baseline("ngram-svm", seed),
        # Wang & Manning 2012: binary n-gram indicators scaled by the log-count ratio, linear SVM.
        "nb-svm": nb_svm,
        # The two existing SVMs, each decision score z-normalised on its training scores, averaged.
        "svm-ensemble": lambda seed: make_baseline("svm-ensemble", seed),
        # Complement naive Bayes (Rennie et al. 2003) on the ngram-svm features.
        "ngram-cnb": lambda seed: make_pipeline(e.LinkMentionNormaliser(), ngram_features(), ComplementNB(alpha=1.0)),
        # ngram-svm's features, C chosen by inner 5-fold CV on AP.
        "ngram-svm-cv": lambda seed: make_pipeline(
            e.LinkMentionNormaliser(), ngram_features(),
            GridSearchCV(LinearSVC(class_weight="balanced", random_state=seed), {"C": [0.03, 0.1, 0.3, 1.0]},
                         scoring=ap("decision_function"), cv=inner_cv())),
        # ngram-svm's features, logistic regression with C chosen by inner 5-fold CV on AP.
        "ngram-lr-cv": lambda seed: make_pipeline(
            e.LinkMentionNormaliser(), ngram_features(),
            LogisticRegressionCV(Cs=[0.3, 1.0, 3.0, 10.0, 30.0], cv=inner_cv(), scoring=ap("predict_proba"),
                                 class_weight="balanced", max_iter=3000, random_state=seed)),
        # Second round (session 7), written down before any was run: the multilingual encoders that
        # ship their weights in a package (extra "multilingual"), in embed-lr's recipe (embeddings +
        # word TF-IDF + LR, C=4), and each with ngram-svm in the scaled-score ensemble.
        "muse-lr": lambda seed: make_baseline("muse-lr", seed),
        "me5-lr": lambda seed: make_baseline("me5-lr", seed),
        "muse-ngram": lambda seed: make_baseline("muse-ngram", seed),
        "me5-ngram": lambda seed: e.ScaledScoreEnsemble(
            [("ngram-svm", make_baseline("ngram-svm", seed)), ("me5-lr", make_baseline("me5-lr", seed))]),
        # Fourth round (session 8), written down before it was run with the rule: multilingual-e5-small
        # fine-tuned (extras "embed" and "multilingual"), minilm-ft's training with three epochs and
        # 128 tokens (one Dutch dev score of this setting was seen first, while timing it).
        "me5-ft": lambda seed: make_baseline("me5-ft", seed),
        # Fifth round (session 8), written down after me5-ft's dev-test F1 was seen to move with the
        # seed (0.663 / 0.645 / 0.654 for seeds 0 / 1 / 2) and before this was run: the usual remedy
        # for that instability, me5-ft trained with three seeds (seed, seed + 1, seed + 2) and its
        # probabilities averaged (soft voting). Same rule, against me5-ft.
        "me5-ft-x3": lambda seed: VotingClassifier(
            [(f"seed{seed + i}", make_baseline("me5-ft", seed + i)) for i in range(3)], voting="soft"),
    }


#: Embeddings shared by the variants of one run (``encode_once``'s cache): each encoder encodes each text once.
_EMBEDDINGS: dict = {}


def scores(name, train_texts, train_labels, test_texts, seed, encoded=None):
    """Held-out scores of variant ``name``; ``encoded`` (all texts it will see) lets each text be encoded once."""
    model = _recipes()[name](seed)
    if encoded is not None:
        model = e.encode_once(model, encoded, _EMBEDDINGS)
    model = model.fit(list(train_texts), np.asarray(train_labels, dtype=object))
    return positive_score(model, list(test_texts), "Yes")


def best_f1(y, s):
    from sklearn.metrics import precision_recall_curve

    precision, recall, _ = precision_recall_curve(y, s)
    with np.errstate(invalid="ignore", divide="ignore"):
        f1 = np.where(precision + recall > 0, 2 * precision * recall / (precision + recall), 0.0)
    return float(f1[:-1].max())


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", required=True, help="folder with the CT24_checkworthy_<language>_*.tsv files")
    parser.add_argument("--language", required=True, choices=["nl", "es", "ar", "en"])
    parser.add_argument("--variants", default=None, help="comma-separated subset of the variants (default: all)")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--pooled", action="store_true",
                        help="add the other three languages' training parts (Spanish: its 3,500-tweet cut) to every fit; "
                             "held-out and folds stay the target language's")
    args = parser.parse_args(argv)
    from sklearn.metrics import average_precision_score

    dataset, _ = checkthat2024(args.data, args.language, train_from_dev=0.7)
    # dev-test ("test") is never read below.
    train, held = (SplitData.from_dataset(dataset[s], s) for s in ("train", "validation"))
    train_ids, train_texts, train_y = list(train.ids), np.asarray(train.texts, dtype=object), train.labels
    held_texts, held_y = held.texts, held.labels == "Yes"
    extra_texts, extra_y = np.asarray([], dtype=object), np.asarray([], dtype=object)
    if args.pooled:
        others = [SplitData.from_dataset(checkthat2024(args.data, other, train_from_dev=0.7)[0]["train"], "train")
                  for other in ("ar", "en", "es", "nl") if other != args.language]
        extra_texts = np.concatenate([np.asarray(o.texts, dtype=object) for o in others])
        extra_y = np.concatenate([np.asarray(o.labels, dtype=object) for o in others])
        print(f"pooled: every fit also trains on the other languages' {len(extra_y)} training rows")
    order = np.asarray(tweet_id_order(train_ids))
    folds = np.array_split(order, args.folds)  # contiguous blocks of tweet-id order
    names = args.variants.split(",") if args.variants else list(_recipes())
    print(f"{args.language}: train {len(train_y)} ({(train_y == 'Yes').mean():.0%} Yes), held-out {len(held_y)} "
          f"({held_y.mean():.0%} Yes); CV: {args.folds} folds contiguous in tweet-id order inside train")
    print("variant          held-out AP  held-out best F1 (optimistic)  CV out-of-fold AP  seconds")
    encoded = list(train_texts) + list(held_texts) + list(extra_texts)  # every text a fit or a score sees
    for name in names:
        start = time.perf_counter()
        held_scores = scores(name, np.concatenate([train_texts, extra_texts]), np.concatenate([train_y, extra_y]), held_texts,
                             args.seed, encoded)
        oof = np.empty(len(train_y))
        for fold in folds:
            rest = np.setdiff1d(np.arange(len(train_y)), fold)
            oof[fold] = scores(name, np.concatenate([train_texts[rest], extra_texts]), np.concatenate([train_y[rest], extra_y]),
                               train_texts[fold], args.seed, encoded)
        print(f"{name:<16} {average_precision_score(held_y, held_scores):.4f}       {best_f1(held_y, held_scores):.4f}"
              f"                         {average_precision_score(train_y == 'Yes', oof):.4f}             "
              f"{time.perf_counter() - start:5.0f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
