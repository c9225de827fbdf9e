"""Budgets for queries on a LOCAL engine: a deadline, a row cap and a memory cap.

rdflib (like most in-process engines) cannot be cancelled, so :func:`run_budgeted` runs the
evaluation in a worker process forked from the caller after the graph is loaded (the worker
needs no reload: it shares the parent's memory copy-on-write), with an address-space limit
(``RLIMIT_AS``) set inside the worker, and kills it at the deadline. The result comes back
pickled through a pipe. Any local engine (rdflib, Oxigraph ...) can use it: pass a callable.

Where ``os.fork`` is not available, or when the caller opts out (``Budget(in_process=True)``,
``--in-process``), the callable runs in this process: the row cap still holds (engines check
it while collecting rows), the deadline and the memory cap do not.

Every limit hit is a :class:`~laokg.errors.LimitExceeded` whose one line names the limit and
the option that raises it. Defaults and measurements: docs/limits.md.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import select
import signal
import sys
import time
from dataclasses import dataclass
from typing import TypeGuard

from laokg.errors import LaokgError, LimitExceeded
from laokg.query.names import DEFAULT_MAX_MEMORY_MB, DEFAULT_MAX_ROWS, DEFAULT_TIMEOUT


@dataclass(frozen=True)
class Budget:
    """What one query may use. ``None`` (or 0 from the command line) means no limit."""

    timeout: float | None = DEFAULT_TIMEOUT
    max_rows: int | None = DEFAULT_MAX_ROWS
    max_memory_mb: int | None = DEFAULT_MAX_MEMORY_MB
    in_process: bool = False

    @classmethod
    def from_options(cls, timeout=None, max_rows=None, max_memory=None, in_process=False) -> Budget:
        """From command-line values: None keeps the default, 0 lifts the limit."""

        def pick(value, default):
            if value is None:
                return default
            return None if value == 0 else value

        return cls(
            pick(timeout, DEFAULT_TIMEOUT),
            pick(max_rows, DEFAULT_MAX_ROWS),
            pick(max_memory, DEFAULT_MAX_MEMORY_MB),
            bool(in_process),
        )


UNLIMITED = Budget(None, None, None, True)


def rows_exceeded(count: int, budget: Budget | None, what: str = "rows") -> LimitExceeded:
    limit = budget.max_rows if budget else None
    return LimitExceeded(
        f"the result has more than {limit:,} {what} (the row budget); "
        f"raise it with --max-rows N (0 for no limit), or add LIMIT to the query"
    )


def check_rows(count: int, budget: Budget | None, what: str = "rows") -> None:
    """Raise :class:`LimitExceeded` once ``count`` passes the budget's row cap."""
    if budget is not None and budget.max_rows is not None and count > budget.max_rows:
        raise rows_exceeded(count, budget, what)


def can_fork() -> bool:
    return hasattr(os, "fork") and sys.platform != "win32"


def run_budgeted(call, budget: Budget | None, what: str = "query"):
    """Return ``call()``, run within ``budget`` (see the module text). ``call`` must return a
    picklable value; laokg errors it raises come back as the same class and message."""
    if not needs_worker(budget):
        return call()
    return _in_worker(call, budget, what)


# ---------------------------------------------------------------- the worker


def _vm_bytes() -> int:
    """This process's current address-space size (Linux), else 0."""
    try:
        with open("/proc/self/statm", "rb") as handle:
            return int(handle.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


#: in a worker: the address-space size it may reach (set by _limit_memory), else None
_CAP: int | None = None


def check_memory(budget: Budget | None, what: str = "query") -> None:
    """In a worker: raise the memory budget's :class:`LimitExceeded` a little before the
    address-space limit is reached (for loops that keep what they read, such as an endpoint's
    answer: a clean stop rather than an allocation failing somewhere inside a library)."""
    if _CAP is None or budget is None or not budget.max_memory_mb:
        return
    margin = min(16 << 20, budget.max_memory_mb * (1 << 20) // 8)
    if _vm_bytes() > _CAP - margin:
        raise LimitExceeded(
            f"the {what} needed more than {budget.max_memory_mb:,} MB (the memory budget); "
            f"raise it with --max-memory MB (0 for no limit)"
        )


def _limit_memory(megabytes: int | None) -> None:
    global _CAP
    if not megabytes:
        return
    try:
        import resource

        cap = _vm_bytes() + megabytes * 1024 * 1024
        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard != resource.RLIM_INFINITY:
            cap = min(cap, hard)
        resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
        _CAP = cap
    except (ImportError, ValueError, OSError):  # pragma: no cover - platform without RLIMIT_AS
        pass


def _quiet_stderr() -> None:
    """The worker reports through its pipe only: what Python itself would print on the way
    out of memory ("Exception ignored ...") must not add a line to laokg's one-line error."""
    try:
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, 2)
        os.close(null)
    except OSError:  # pragma: no cover
        pass


_PR_SET_PDEATHSIG = 1


def _die_with_parent(parent: int) -> None:
    """In the worker: its own process group (a terminal's Ctrl-C goes to laokg, which stops the
    worker itself), and on Linux a parent-death signal, so that the worker is killed when laokg
    dies however it dies (SIGTERM from ``timeout N laokg ...``, SIGKILL): it never runs on under
    PID 1 past its budget. If laokg died before the signal was armed, the worker ends now."""
    with contextlib.suppress(OSError):  # pragma: no cover - already a group leader
        os.setpgid(0, 0)
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError, TypeError, ImportError):  # pragma: no cover - no libc prctl
            _prctl()(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)
    if os.getppid() != parent:
        os._exit(70)


def _prctl():
    """libc's ``prctl`` through ctypes' C core: importing the ``ctypes`` package costs the
    worker about 10 ms before it can start, its core ``_ctypes`` 0.5 ms (ctypes if that fails)."""
    try:
        import _ctypes

        class Int(_ctypes._SimpleCData):
            _type_ = "i"

        class Function(_ctypes.CFuncPtr):
            _flags_ = _ctypes.FUNCFLAG_CDECL
            _restype_ = Int

        # dlopen(None) opens the program itself; typeshed wants a path
        return Function(_ctypes.dlsym(_ctypes.dlopen(None), "prctl"))  # type: ignore[arg-type]
    except (ImportError, AttributeError, OSError, TypeError):  # pragma: no cover
        import ctypes

        return ctypes.CDLL(None, use_errno=True).prctl


class _Captured:
    """In the worker: what libraries log (rdflib's warnings) or warn, kept to be re-logged by
    the parent, which shows them as the command shows any warning (one escaped line each)."""

    LIMIT = 20

    def __init__(self):
        import logging

        self.records: list[tuple[str, int, str]] = []
        captured = self

        class Handler(logging.Handler):
            def emit(self, record):
                try:
                    message = record.getMessage()
                except Exception:  # a malformed log call
                    message = str(record.msg)
                captured.add(record.name, record.levelno, message)

        root = logging.getLogger()
        root.handlers = [Handler(logging.WARNING)]
        import warnings

        def show(message, category, filename, lineno, file=None, line=None):
            captured.add("py.warnings", logging.WARNING, f"{category.__name__}: {message}")

        warnings.showwarning = show

    def add(self, name: str, level: int, message: str) -> None:
        entry = (name, level, message.splitlines()[0] if message else "")
        if entry not in self.records and len(self.records) < self.LIMIT:
            self.records.append(entry)


def relog(records) -> None:
    """Log again, in this process, what a worker's libraries logged (see :class:`_Captured`)."""
    import logging

    for name, level, message in records or ():
        logging.getLogger(name).log(level, "%s", message)


def _child(call, budget: Budget, write_fd: int, parent: int) -> None:
    """In the forked worker: run, send ("log", records) and then ("ok", value) or ("error", ...)
    as frames, exit without cleanup."""
    code = 0
    try:
        _die_with_parent(parent)
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        _quiet_stderr()
        captured = _Captured()
        _limit_memory(budget.max_memory_mb)
        payload: tuple  # ("ok", value), ("error", class, message, exit code) or ("memory",)
        try:
            payload = ("ok", call())
        except LaokgError as exc:
            payload = ("error", type(exc).__name__, str(exc), exc.exit_code)
        except MemoryError:
            payload = ("memory",)
        except RecursionError:
            payload = ("error", "LimitExceeded", "the query is nested too deeply to evaluate", 2)
        except BaseException as exc:  # reported by the parent as one line
            payload = ("error", "LaokgError", f"query evaluation failed: {type(exc).__name__}: {exc}", 2)
        try:
            data = _frame(("log", captured.records)) + _frame(payload)
        except MemoryError:
            data = _frame(("memory",))
        except Exception as exc:  # an unpicklable value
            data = _frame(("error", "LaokgError", f"the result cannot be passed back: {exc}", 2))
        _write(write_fd, data)
    except BaseException:  # never run the parent's code in the child
        code = 70
    finally:
        os._exit(code)


def _frame(payload) -> bytes:
    data = pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL)
    return len(data).to_bytes(8, "big") + data


def _write(write_fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(write_fd, view) :]


def _rebuild(name: str, message: str, code: int) -> LaokgError:
    classes, stack = {"LaokgError": LaokgError}, [LaokgError]
    while stack:
        for sub in stack.pop().__subclasses__():
            classes.setdefault(sub.__name__, sub)
            stack.append(sub)
    cls = classes.get(name, LaokgError)
    exc = cls.__new__(cls)
    Exception.__init__(exc, message)
    exc.exit_code = code
    return exc


def needs_worker(budget: Budget | None) -> TypeGuard[Budget]:
    """Whether ``budget`` asks for a worker (else the call runs in this process)."""
    return not (
        budget is None
        or budget.in_process
        or not can_fork()
        or (budget.timeout is None and budget.max_memory_mb is None)
    )


def _fork(make_call, budget: Budget) -> tuple[int, int]:
    """Fork a worker running ``make_call(write_fd)()`` (see :func:`_child`): (pid, read end)."""
    for stream in (sys.stdout, sys.stderr):  # nothing buffered may be written twice
        with contextlib.suppress(OSError, ValueError, AttributeError):
            stream.flush()
    read_fd, write_fd = os.pipe()
    parent = os.getpid()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the worker (covered through its answers)
        os.close(read_fd)
        _child(make_call(write_fd), budget, write_fd, parent)
    os.close(write_fd)
    with contextlib.suppress(
        OSError
    ):  # also from this side, so that killing the group never races the worker's setpgid
        os.setpgid(pid, pid)
    return pid, read_fd


def _frames(read_fd: int, budget: Budget):
    """The payloads a worker sends (length-prefixed pickles), as they come."""
    buffer = bytearray()
    for chunk in _chunks(read_fd, budget):
        buffer += chunk
        while len(buffer) >= 8:
            size = int.from_bytes(buffer[:8], "big")
            if len(buffer) < 8 + size:
                break
            payload = pickle.loads(buffer[8 : 8 + size])
            del buffer[: 8 + size]
            yield payload


def _answers(pid: int, read_fd: int, budget: Budget, what: str):
    """Yield the items a worker sends; return its value; raise its error or the limit hit."""
    try:
        try:
            for payload in _frames(read_fd, budget):
                kind = payload[0]
                if kind == "item":
                    yield payload[1]
                elif kind == "log":
                    relog(payload[1])
                elif kind == "ok":
                    return payload[1]
                elif kind == "memory":
                    raise LimitExceeded(
                        f"the {what} needed more than {budget.max_memory_mb:,} MB (the memory budget); "
                        f"raise it with --max-memory MB (0 for no limit)"
                    )
                else:
                    raise _rebuild(*payload[1:])
        except _Expired:
            raise _timeout_error(budget, what) from None
        _, status = os.waitpid(pid, 0)
        pid = 0
        if os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL:
            reason = "it was killed (out of memory?)"
        elif os.WIFSIGNALED(status):
            reason = f"it died of signal {os.WTERMSIG(status)}"
        else:
            reason = f"it exited with status {os.WEXITSTATUS(status)}"
        raise LimitExceeded(
            f"the {what} worker ended without an answer: {reason}; "
            f"if the memory budget was hit, raise it with --max-memory MB (0 for no limit)"
        )
    finally:
        os.close(read_fd)
        if pid:
            _kill(pid)


def stream_budgeted(produce, budget: Budget | None, what: str = "query"):
    """Run ``produce(send)`` within ``budget`` and yield, as they come, the items it passes to
    ``send`` (so the caller can write them while the worker still runs: memory does not grow
    with the result). Limits are reported as by :func:`run_budgeted`."""
    if not needs_worker(budget):
        items: list = []
        produce(items.append)
        yield from items  # pragma: no cover - callers stream only with a worker
        return

    def make_call(write_fd):
        return lambda: produce(lambda item: _write(write_fd, _frame(("item", item))))

    pid, read_fd = _fork(make_call, budget)
    yield from _answers(pid, read_fd, budget, what)


class _Expired(Exception):
    """The time budget ran out while reading a worker's answer."""


def _timeout_error(budget: Budget, what: str) -> LimitExceeded:
    return LimitExceeded(
        f"the {what} was stopped after {budget.timeout:g} s (the time budget); "
        f"raise it with --timeout SECONDS (0 for no limit)"
    )


def _chunks(read_fd: int, budget: Budget):
    """The bytes a worker writes to ``read_fd``, as they come, until it closes the pipe;
    raises :class:`_Expired` when the time budget runs out first."""
    deadline = None if budget.timeout is None else time.monotonic() + budget.timeout
    while True:
        wait = None if deadline is None else deadline - time.monotonic()
        if wait is not None and wait <= 0:
            raise _Expired()
        ready, _, _ = select.select([read_fd], [], [], wait)
        if not ready:
            continue
        chunk = os.read(read_fd, 1 << 20)
        if not chunk:
            return
        yield chunk


def send_in_batches(rows, send, budget: Budget, batch: int) -> None:
    """Send ``rows`` (row dicts, as they come) in lists of at most ``batch``, each row counted
    against the row budget: the streaming loop every engine's worker runs."""
    pending = []
    for count, row in enumerate(rows, 1):
        check_rows(count, budget)
        pending.append(row)
        if len(pending) >= batch:
            send(pending)
            pending = []
    if pending:
        send(pending)


def _kill(pid: int) -> None:
    """Kill the worker's process group (the worker and anything it started), then reap it."""
    try:
        os.killpg(pid, signal.SIGKILL)
    except OSError:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, 0)


def _in_worker(call, budget: Budget, what: str):
    pid, read_fd = _fork(lambda write_fd: call, budget)
    answers = _answers(pid, read_fd, budget, what)
    try:
        while True:
            next(answers)  # a call sends no items
    except StopIteration as stop:
        return stop.value


__all__ = [
    "Budget",
    "UNLIMITED",
    "stream_budgeted",
    "DEFAULT_TIMEOUT",
    "DEFAULT_MAX_ROWS",
    "DEFAULT_MAX_MEMORY_MB",
    "run_budgeted",
    "check_rows",
    "check_memory",
    "can_fork",
    "send_in_batches",
    "relog",
]
