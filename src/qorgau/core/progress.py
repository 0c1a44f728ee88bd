"""Progress of a long command, on its output stream: a bar redrawn in place on a terminal
(at most ten times a second), one line per stage when the output is a file or a pipe (a log,
CI). ``make demo`` shows the demo being loaded with it instead of a minute of silence."""

import time
from typing import TextIO

WIDTH = 30


class Progress:
    """``progress(stage, done, total)`` reports ``done`` of ``total`` steps of ``stage``."""

    def __init__(self, stream: TextIO, *, interval: float = 0.1) -> None:
        self.stream = stream
        self.tty = bool(getattr(stream, "isatty", lambda: False)())
        self.interval = interval
        self.stage: str | None = None
        self.shown_at = 0.0
        self.started = time.monotonic()

    def __call__(self, stage: str, done: int, total: int) -> None:
        new_stage = stage != self.stage
        if new_stage and self.stage is not None and self.tty:
            self.stream.write("\n")
        self.stage = stage
        finished = done >= total
        now = time.monotonic()
        if self.tty:
            if new_stage or finished or now - self.shown_at >= self.interval:
                self.stream.write("\r" + self.line(stage, done, total))
                self.stream.flush()
                self.shown_at = now
        elif new_stage or finished:
            self.stream.write(self.line(stage, done, total) + "\n")
            self.stream.flush()

    def line(self, stage: str, done: int, total: int) -> str:
        share = min(done / total, 1.0) if total else 1.0
        filled = round(share * WIDTH)
        seconds = time.monotonic() - self.started
        bar = "#" * filled + "." * (WIDTH - filled)
        return f"[{bar}] {share:4.0%} {stage} ({done}/{total}, {seconds:.0f} s)"

    def close(self) -> None:
        if self.tty and self.stage is not None:
            self.stream.write("\n")
            self.stream.flush()
