"""The move classifier: its training bank, the fitting, building, loading and staleness checks.

Fitting and building use a tiny bank and a character-hashing embedder so they run in a second;
the shipped model's freshness is checked against the real bank.
"""

from __future__ import annotations

import logging
import zlib
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from skills.roleplay.classifier import (
    BankError,
    EmbeddingCache,
    Example,
    MoveModel,
    build,
    fingerprint,
    fit_logistic,
    load_bank,
    load_model,
)
from skills.roleplay.moves import MoveDetector, bank_extras, load_moves

MOVES = ["ask_budget", "ask_timeline", "concession", "conditional"]


def char_embed(texts: Sequence[str]) -> np.ndarray:
    """A stand-in embedder: hashed character bigrams, normalised (sentences sharing words land close)."""
    out = np.zeros((len(texts), 64), dtype=np.float32)
    for i, text in enumerate(texts):
        for j in range(len(text) - 1):
            out[i, zlib.crc32(text[j : j + 2].lower().encode()) % 64] += 1
    return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-9)


def write_bank(directory: Path) -> None:
    (directory / "ask_budget.yaml").write_text(
        "move: ask_budget\npositives:\n"
        + "".join(f"  - what budget do you have for project {i}?\n" for i in range(12))
        + "near_misses:\n  - {text: 'when does the budget year start?', moves: [ask_timeline]}\n",
        encoding="utf-8",
    )
    (directory / "ask_timeline.yaml").write_text(
        "move: ask_timeline\npositives:\n" + "".join(f"  - when do you need rollout {i} live?\n" for i in range(12)),
        encoding="utf-8",
    )
    (directory / "mixed.yaml").write_text(
        "examples:\n"
        + "".join(f"  - {{text: if you sign {i} years we take {i} percent off, moves: [conditional]}}\n" for i in range(12)),
        encoding="utf-8",
    )
    (directory / "_none.yaml").write_text(
        "move: none\nsentences:\n" + "".join(f"  - thanks for the coffee number {i}\n" for i in range(12)), encoding="utf-8"
    )


def test_fit_logistic_separates_two_clusters() -> None:
    rng = np.random.default_rng(0)
    x = np.vstack([rng.normal(-2, 1, (50, 3)), rng.normal(2, 1, (50, 3))])
    x = np.hstack([x, np.ones((100, 1))])
    y = np.array([0.0] * 50 + [1.0] * 50)[:, None]
    w = fit_logistic(x, y, l2=0.1)
    p = 1 / (1 + np.exp(-(x @ w.T)))[:, 0]
    assert p[:50].max() < 0.5 < p[50:].min()
    assert np.allclose(w, fit_logistic(x, y, l2=0.1))  # deterministic


def test_bank_labels_each_sentence_with_its_moves(tmp_path: Path) -> None:
    write_bank(tmp_path)
    bank = {e.text: e.moves for e in load_bank(MOVES, tmp_path)}
    assert bank["what budget do you have for project 3?"] == {"ask_budget"}
    assert bank["when does the budget year start?"] == {"ask_timeline"}
    assert bank["thanks for the coffee number 0"] == frozenset()
    # a conditional offer is also an offer: it ends "value before any concession"
    assert bank["if you sign 2 years we take 2 percent off"] == {"conditional", "concession"}


def test_a_sentence_labelled_twice_keeps_both_labels(tmp_path: Path) -> None:
    write_bank(tmp_path)
    extra = [Example("when does the budget year start?", frozenset({"ask_budget"}))]
    bank = {e.text: e.moves for e in load_bank(MOVES, tmp_path, extra=extra)}
    assert bank["when does the budget year start?"] == {"ask_budget", "ask_timeline"}


def test_a_typo_in_a_move_id_names_the_file_and_entry(tmp_path: Path) -> None:
    (tmp_path / "ask_budget.yaml").write_text(
        "move: ask_budget\npositives:\n  - budget?\nnear_misses:\n  - {text: 'when?', moves: [ask_timline]}\n", encoding="utf-8"
    )
    with pytest.raises(BankError, match=r"ask_budget.yaml: near_misses\[0\].*ask_timline"):
        load_bank(MOVES, tmp_path)


def test_a_broken_bank_file_is_named(tmp_path: Path) -> None:
    (tmp_path / "ask_budget.yaml").write_text("move: ask_budget\npositives: [unclosed\n", encoding="utf-8")
    with pytest.raises(BankError, match="ask_budget.yaml"):
        load_bank(MOVES, tmp_path)


def test_build_writes_a_model_that_reads_its_bank_back(tmp_path: Path) -> None:
    write_bank(tmp_path)
    model, report = build(MOVES, directory=tmp_path, embed=char_embed)
    assert (tmp_path / "model.npz").exists() and (tmp_path / "embeddings.npz").exists()
    assert report["ask_budget"]["recall"] > 0.8 and report["ask_budget"]["positives"] == 12
    loaded = MoveModel.load(tmp_path / "model.npz")
    assert loaded.fingerprint == model.fingerprint == fingerprint(load_bank(MOVES, tmp_path), MOVES)
    sentence = "what budget do you have for project 7?"
    assert set(loaded.predict(sentence, char_embed([sentence]))) == {"ask_budget"}
    assert loaded.predict("thanks for the coffee number 5", char_embed(["thanks for the coffee number 5"])) == {}


def test_the_embedding_cache_spares_re_embedding(tmp_path: Path) -> None:
    write_bank(tmp_path)
    build(MOVES, directory=tmp_path, embed=char_embed)

    def refuse(texts: Sequence[str]) -> np.ndarray:
        raise AssertionError(f"re-embedded {list(texts)[:2]}")

    texts = [e.text for e in load_bank(MOVES, tmp_path)]
    vectors, embedded_now = EmbeddingCache(tmp_path / "embeddings.npz", embed=refuse).vectors(texts)
    assert embedded_now == 0 and vectors.shape == (len(texts), 64)


def test_a_stale_model_is_used_with_a_warning_and_a_missing_one_is_trained(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    write_bank(tmp_path)
    built, _ = build(MOVES, directory=tmp_path, embed=char_embed)
    with (tmp_path / "ask_timeline.yaml").open("a", encoding="utf-8") as f:
        f.write("  - by when must this be signed?\n")
    with caplog.at_level(logging.WARNING):
        stale = load_model(MOVES, directory=tmp_path, embed=char_embed)
    assert stale.fingerprint == built.fingerprint
    assert "older than the training bank" in caplog.text and "dealpilot roleplay train" in caplog.text
    (tmp_path / "model.npz").unlink()
    fresh = load_model(MOVES, directory=tmp_path, embed=char_embed)
    assert fresh.fingerprint != built.fingerprint and not (tmp_path / "model.npz").exists()


def test_the_shipped_model_was_built_from_the_shipped_bank() -> None:
    moves = load_moves()
    shipped = MoveModel.load()
    assert shipped.moves == list(moves)
    assert shipped.fingerprint == fingerprint(load_bank(list(moves), extra=bank_extras(moves)), list(moves)), (
        "the training bank or moves.yaml changed: run `dealpilot roleplay train` and commit model.npz"
    )


def test_the_shipped_embedding_cache_covers_the_bank() -> None:
    moves = load_moves()

    def refuse(texts: Sequence[str]) -> np.ndarray:
        raise AssertionError("bank sentence missing from embeddings.npz: run `dealpilot roleplay train`")

    texts = [e.text for e in load_bank(list(moves), extra=bank_extras(moves))]
    assert EmbeddingCache(embed=refuse).vectors(texts)[1] == 0


def test_the_bank_is_large_and_bilingual_for_every_move() -> None:
    moves = load_moves()
    bank = load_bank(list(moves), extra=bank_extras(moves))
    for move in moves:
        positives = [e.text for e in bank if move in e.moves]
        chinese = [t for t in positives if any("\u4e00" <= ch <= "\u9fff" for ch in t)]
        assert len(chinese) >= 50 and len(positives) - len(chinese) >= 50, move
    assert sum(1 for e in bank if not e.moves) >= 300


def test_without_a_model_the_detector_uses_keywords() -> None:
    detector = MoveDetector(load_moves())
    assert not detector.semantic
    assert "ask_budget" in detector.detect("你们今年的预算大概多少？")
