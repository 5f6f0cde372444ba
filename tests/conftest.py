from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.process import process_path
from pipeline.run import run

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
GOLD = ROOT / "gold"
DEVCORPUS = ROOT.parent / "shared" / "devcorpus"
SEEDS = sorted(CORPUS.glob("*.txt"))


def seed(prefix: str) -> Path:
    return next(p for p in SEEDS if p.name.startswith(prefix))


@pytest.fixture(scope="session")
def seed_docs():
    """Every seed processed once: doc_id -> Document."""
    return {p.stem: process_path(p) for p in SEEDS}


@pytest.fixture(scope="session")
def corpus_run(tmp_path_factory):
    """The bundled corpus run once through the whole pipeline."""
    out = tmp_path_factory.mktemp("corpus_run")
    summary = run([CORPUS], out)
    return out, summary


def devcorpus_pages() -> list[Path]:
    return sorted(DEVCORPUS.glob("*.txt")) if DEVCORPUS.is_dir() else []
