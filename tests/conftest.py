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


CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ARTIFACTS = ROOT / "outputs" / "test-artifacts"  # screenshots from browser tests (git-ignored)


@pytest.fixture(scope="session")
def browser():
    """Debian's headless Chromium driven by Playwright (never a downloaded browser).

    .ci/run installs it; on a developer machine without it the browser tests
    skip, but in CI (CI=true) a missing browser is a failure.
    """
    import os
    import shutil

    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    if executable is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed: .ci/run must apt-get install chromium")
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield instance
        instance.close()
