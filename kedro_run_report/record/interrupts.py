"""Ctrl-C and exit in the middle of a run: Kedro calls no hook for them.

Kedro catches only ``Exception``, so a KeyboardInterrupt or SystemExit ends the run without
``on_pipeline_error``. An ``atexit`` handler finishes a run still open when the process exits
(with a ``run_interrupted`` event), and a SIGINT handler chained in front of Python's own notes
where the run was when Ctrl-C came.
"""

from __future__ import annotations

import atexit
import signal
import threading
import time
import traceback
from collections.abc import Callable
from typing import Any

from kedro_run_report import events
from kedro_run_report.events import Error, Event
from kedro_run_report.record.error_info import cut
from kedro_run_report.redact import PATTERNS, Redactor

INTERRUPTED_MESSAGE = "Run interrupted (KeyboardInterrupt)"
EXITED_MESSAGE = (
    "Run interrupted: the process exited before the run ended (KeyboardInterrupt or SystemExit)."
)


class InterruptWatcher:
    """Notes a Ctrl-C during a run, and calls ``at_exit`` when the process exits."""

    def __init__(self, at_exit: Callable[[], None]) -> None:
        self._at_exit = at_exit
        self._exit_handler_registered = False
        self._previous_sigint: Any = None
        self._redactor: Redactor = PATTERNS
        self.watching = False
        self.interrupt: Error | None = None  # set by the SIGINT handler

    def start(self, redactor: Redactor) -> None:
        """Watch the run that starts now."""
        self.interrupt = None
        self._redactor = redactor
        self.watching = True
        if not self._exit_handler_registered:
            atexit.register(self._on_exit)
            self._exit_handler_registered = True
        if threading.current_thread() is not threading.main_thread():
            return
        # Only in front of Python's own handler: a notebook's or the user's is left alone.
        if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
            self._previous_sigint = signal.default_int_handler
            signal.signal(signal.SIGINT, self._on_sigint)

    def stop(self) -> None:
        """The run ended: give SIGINT back to the handler it had."""
        self.watching = False
        if self._previous_sigint is None:
            return
        if threading.current_thread() is threading.main_thread():
            # Compare the underlying functions: bound methods are new objects on each access.
            current = signal.getsignal(signal.SIGINT)
            if getattr(current, "__func__", None) is InterruptWatcher._on_sigint:
                signal.signal(signal.SIGINT, self._previous_sigint)
        self._previous_sigint = None

    def interrupted_event(self) -> Event:
        """The event that ends a run the process is leaving unfinished."""
        error = self.interrupt or {
            "type": "Interrupted",
            "message": EXITED_MESSAGE,
            "traceback": "",
        }
        return events.run_interrupted(time.time(), error)

    def _on_exit(self) -> None:
        """Registered with atexit: finish a run the process is leaving unfinished."""
        try:
            self._at_exit()
        except BaseException:  # noqa: S110 - the interpreter is exiting; nothing to tell
            pass

    def _on_sigint(self, signum: int, frame: Any) -> None:
        """Note the interrupt and where the run was, then raise KeyboardInterrupt as usual."""
        if self.interrupt is None and self.watching:
            try:
                stack = "".join(traceback.format_stack(frame)) if frame is not None else ""
                self.interrupt = {
                    "type": "KeyboardInterrupt",
                    "message": INTERRUPTED_MESSAGE,
                    "traceback": self._redactor.text(
                        cut(f"Traceback (most recent call last):\n{stack}KeyboardInterrupt\n")
                    ),
                }
            except Exception:
                self.interrupt = {"type": "KeyboardInterrupt", "message": INTERRUPTED_MESSAGE}
        signal.default_int_handler(signum, frame)
