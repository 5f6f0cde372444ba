"""Progress while a run goes: a tqdm bar on a terminal, periodic log lines otherwise."""
from __future__ import annotations

import sys
import time

LOG_EVERY = 10.0  # seconds between log lines when stderr is not a terminal


class Progress:
    def __init__(self, stream=None, total=None):
        self.stream = stream or sys.stderr
        self.documents = 0
        self.failed = 0
        self.started = time.perf_counter()
        self.last_log = self.started
        self.bar = None
        if self.stream.isatty():
            from tqdm import tqdm

            self.bar = tqdm(total=total() if callable(total) else total, file=self.stream, unit="doc",
                            desc="documents", dynamic_ncols=True)

    def update(self, result) -> None:
        done = result.documents + sum(result.errors.values())
        self.documents += result.documents
        self.failed += sum(result.errors.values())
        if self.bar is not None:
            self.bar.update(done)
            self.bar.set_postfix(failed=self.failed, refresh=False)
            return
        now = time.perf_counter()
        if now - self.last_log >= LOG_EVERY:
            self.last_log = now
            rate = self.documents / (now - self.started)
            print(f"  … {self.documents} documents, {self.failed} failed, {rate:.1f} documents/s", file=self.stream, flush=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
