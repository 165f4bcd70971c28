"""Run one build step: logged to a file, bounded by a timeout, with progress and a clear failure."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from helpers.kube import children

from .paths import LOG_DIR

PROGRESS_EVERY_SECONDS = 30
TAIL_LINES = 25


class StepFailed(RuntimeError):
    """A build step failed; the message names the step and ends with its log's last lines (log: the whole log)."""

    def __init__(self, message: str, log: Path | None = None):
        super().__init__(message)
        self.log = log


def say(message: str) -> None:
    """Progress line on stderr (stdout may be captured by callers)."""
    print(f"[cluster] {message}", file=sys.stderr, flush=True)


def _log_tail(log: Path) -> str:
    lines = log.read_text(errors="replace").splitlines()[-TAIL_LINES:]
    return "\n".join("    " + line for line in lines)


def run_step(
    name: str,
    cmd: list[str],
    *,
    timeout: float,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    stdin_path: Path | None = None,
) -> None:
    """Run cmd, output to logs/<name>.log; raise StepFailed on non-zero exit or timeout."""
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    log = LOG_DIR / (name.replace(" ", "-").replace("/", "_") + ".log")
    say(f"{name} ... (log: {log})")
    started = time.monotonic()
    with open(log, "w") as out, open(stdin_path or os.devnull, "rb") as stdin:
        out.write(f"$ {' '.join(cmd)}\n")
        out.flush()
        try:
            proc = children.popen(cmd, cwd=cwd, env={**os.environ, **(env or {})},
                                  stdin=stdin, stdout=out, stderr=subprocess.STDOUT)
        except OSError as err:
            raise StepFailed(f"step '{name}' could not start {cmd[0]}: {err}") from None
        try:
            code = _wait_with_progress(name, proc, started, timeout)
        finally:
            children.stop(proc, grace=0)  # at its timeout, on Ctrl-C, or what it left running
    elapsed = time.monotonic() - started
    if code is None:
        raise StepFailed(f"step '{name}' timed out after {timeout:.0f}s; last lines of {log}:\n{_log_tail(log)}", log)
    if code != 0:
        raise StepFailed(f"step '{name}' failed (exit {code}) after {elapsed:.0f}s; last lines of {log}:\n{_log_tail(log)}",
                         log)
    say(f"{name}: done in {elapsed:.0f}s")


def _wait_with_progress(name: str, proc: subprocess.Popen, started: float, timeout: float) -> int | None:
    """Wait for proc, printing a line every PROGRESS_EVERY_SECONDS; None at the timeout."""
    while True:
        remaining = timeout - (time.monotonic() - started)
        if remaining <= 0:
            return None
        try:
            return proc.wait(timeout=min(PROGRESS_EVERY_SECONDS, remaining))
        except subprocess.TimeoutExpired:
            say(f"{name}: still running ({time.monotonic() - started:.0f}s of at most {timeout:.0f}s)")


def output_of(cmd: list[str], *, timeout: float, cwd: Path | None = None) -> str:
    """Stdout of a short command; StepFailed with its stderr when it fails or hangs."""
    try:
        done = children.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise StepFailed(f"'{' '.join(cmd)}' timed out after {timeout:.0f}s") from None
    except OSError as err:
        raise StepFailed(f"'{cmd[0]}' could not run: {err}") from None
    if done.returncode != 0:
        raise StepFailed(f"'{' '.join(cmd)}' failed (exit {done.returncode}): {done.stderr.strip()[-2000:]}")
    return done.stdout


def succeeds(cmd: list[str], *, timeout: float) -> bool:
    """True when cmd exits 0 within timeout (missing programs count as failure)."""
    try:
        return children.run(cmd, capture_output=True, timeout=timeout).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def exit_code_of(action: Callable[[], int | None]) -> int:
    """Run a command-line action: its code (None: 0); a StepFailed is one ERROR line and 1, Ctrl-C 130."""
    try:
        return action() or 0
    except StepFailed as err:
        print(f"ERROR: {err}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


@dataclass
class ShownStep:
    """How a step whose output the user reads ended."""

    name: str
    exit: int  # 124 when it ran out of time
    seconds: float
    error: str  # the step's own one-line ERROR, if it printed one


def run_shown(name: str, cmd: list[str], *, env: dict[str, str], timeout: float, log: Path, cwd: Path) -> ShownStep:
    """Run cmd (a `python -m ...` command line), its output both shown and kept in `log`; its whole
    process group is killed at `timeout`."""
    say(f"{name}: {' '.join(cmd[2:])}")
    started = time.monotonic()
    with open(log, "w") as kept:
        process = children.popen(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        timer = threading.Timer(timeout, children.stop, (process, 0))
        timer.start()
        error = ""
        try:
            for line in process.stdout:
                sys.stdout.write(line)
                kept.write(line)
                if line.startswith("ERROR: ") and not error:
                    error = line[len("ERROR: "):].strip()
            code = process.wait()
        finally:
            timer.cancel()
            children.stop(process, grace=0)
    if code in (-signal.SIGTERM, -signal.SIGKILL) and time.monotonic() - started >= timeout:  # ended by the timer
        code, error = 124, f"{name} did not finish within {timeout:g}s"
    step = ShownStep(name, code, round(time.monotonic() - started, 1), error)
    say(f"{name}: exit {code} in {step.seconds:.0f}s")
    return step
