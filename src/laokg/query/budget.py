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

import os
import pickle
import select
import signal
import sys
import time
from dataclasses import dataclass

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
    def from_options(cls, timeout=None, max_rows=None, max_memory=None, in_process=False) -> "Budget":
        """From command-line values: None keeps the default, 0 lifts the limit."""
        def pick(value, default):
            if value is None:
                return default
            return None if value == 0 else value

        return cls(pick(timeout, DEFAULT_TIMEOUT), pick(max_rows, DEFAULT_MAX_ROWS),
                   pick(max_memory, DEFAULT_MAX_MEMORY_MB), bool(in_process))


UNLIMITED = Budget(None, None, None, True)


def rows_exceeded(count: int, budget: Budget | None, what: str = "rows") -> LimitExceeded:
    limit = budget.max_rows if budget else None
    return LimitExceeded(f"the result has more than {limit:,} {what} (the row budget); "
                         f"raise it with --max-rows N (0 for no limit), or add LIMIT to the query")


def check_rows(count: int, budget: Budget | None, what: str = "rows") -> None:
    """Raise :class:`LimitExceeded` once ``count`` passes the budget's row cap."""
    if budget is not None and budget.max_rows is not None and count > budget.max_rows:
        raise rows_exceeded(count, budget, what)


def can_fork() -> bool:
    return hasattr(os, "fork") and sys.platform != "win32"


def run_budgeted(call, budget: Budget | None, what: str = "query"):
    """Return ``call()``, run within ``budget`` (see the module text). ``call`` must return a
    picklable value; laokg errors it raises come back as the same class and message."""
    if budget is None or budget.in_process or not can_fork() or (budget.timeout is None and budget.max_memory_mb is None):
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


def _limit_memory(megabytes: int | None) -> None:
    if not megabytes:
        return
    try:
        import resource

        cap = _vm_bytes() + megabytes * 1024 * 1024
        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard != resource.RLIM_INFINITY:
            cap = min(cap, hard)
        resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
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


def _child(call, budget: Budget, write_fd: int, framed: bool = False) -> None:
    """In the forked worker: run, send ("ok", value) or ("error", ...), exit without cleanup."""
    code = 0
    try:
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        _quiet_stderr()
        _limit_memory(budget.max_memory_mb)
        try:
            payload = ("ok", call())
        except LaokgError as exc:
            payload = ("error", type(exc).__name__, str(exc), exc.exit_code)
        except MemoryError:
            payload = ("memory",)
        except RecursionError:
            payload = ("error", "LimitExceeded", "the query is nested too deeply to evaluate", 2)
        except BaseException as exc:  # noqa: BLE001 - reported by the parent as one line
            payload = ("error", "LaokgError", f"query evaluation failed: {type(exc).__name__}: {exc}", 2)
        try:
            data = pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL)
        except MemoryError:
            data = pickle.dumps(("memory",))
        except Exception as exc:  # noqa: BLE001 - an unpicklable value
            data = pickle.dumps(("error", "LaokgError", f"the result cannot be passed back: {exc}", 2))
        if framed:
            data = len(data).to_bytes(8, "big") + data
        view = memoryview(data)
        while view:
            view = view[os.write(write_fd, view):]
    except BaseException:  # noqa: BLE001 - never run the parent's code in the child
        code = 70
    finally:
        os._exit(code)


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


def stream_budgeted(produce, budget: Budget | None, what: str = "query"):
    """Run ``produce(send)`` within ``budget`` and yield, as they come, the items it passes to
    ``send`` (so the caller can write them while the worker still runs: memory does not grow
    with the result). Limits are reported as by :func:`run_budgeted`."""
    if budget is None or budget.in_process or not can_fork() or (budget.timeout is None and budget.max_memory_mb is None):
        items: list = []
        produce(items.append)
        yield from items  # pragma: no cover - callers stream only with a worker
        return
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError, AttributeError):
            pass
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the worker

        def send(item):
            data = pickle.dumps(("item", item), protocol=pickle.HIGHEST_PROTOCOL)
            frame = memoryview(len(data).to_bytes(8, "big") + data)
            while frame:
                frame = frame[os.write(write_fd, frame):]

        os.close(read_fd)
        _child(lambda: produce(send), budget, write_fd, framed=True)
    os.close(write_fd)
    buffer = bytearray()
    try:
        try:
            for chunk in _chunks(read_fd, budget):
                buffer += chunk
                while len(buffer) >= 8:
                    size = int.from_bytes(buffer[:8], "big")
                    if len(buffer) < 8 + size:
                        break
                    payload = pickle.loads(bytes(buffer[8:8 + size]))
                    del buffer[:8 + size]
                    if payload[0] == "item":
                        yield payload[1]
                    elif payload[0] == "ok":
                        return
                    elif payload[0] == "memory":
                        raise LimitExceeded(f"the {what} needed more than {budget.max_memory_mb:,} MB (the memory budget); "
                                            f"raise it with --max-memory MB (0 for no limit)")
                    else:
                        raise _rebuild(*payload[1:])
        except _Expired:
            _kill(pid)
            pid = 0
            raise _timeout_error(budget, what) from None
        raise LimitExceeded(f"the {what} worker ended without an answer; if the memory budget was hit, "
                            f"raise it with --max-memory MB (0 for no limit)")
    finally:
        os.close(read_fd)
        if pid:
            _kill(pid)


class _Expired(Exception):
    """The time budget ran out while reading a worker's answer."""


def _timeout_error(budget: Budget, what: str) -> LimitExceeded:
    return LimitExceeded(f"the {what} was stopped after {budget.timeout:g} s (the time budget); "
                         f"raise it with --timeout SECONDS (0 for no limit)")


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
    pending, count = [], 0
    for row in rows:
        count += 1
        check_rows(count, budget)
        pending.append(row)
        if len(pending) >= batch:
            send(pending)
            pending = []
    if pending:
        send(pending)


def _kill(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    try:
        os.waitpid(pid, 0)
    except ChildProcessError:
        pass


def _in_worker(call, budget: Budget, what: str):
    for stream in (sys.stdout, sys.stderr):  # nothing buffered may be written twice
        try:
            stream.flush()
        except (OSError, ValueError, AttributeError):
            pass
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the worker (covered through its answers)
        os.close(read_fd)
        _child(call, budget, write_fd)
    os.close(write_fd)
    try:
        try:
            chunks = list(_chunks(read_fd, budget))
        except _Expired:
            _kill(pid)
            pid = 0
            raise _timeout_error(budget, what) from None
    finally:
        os.close(read_fd)
        if pid:
            _, status = os.waitpid(pid, 0)
    data = b"".join(chunks)
    if not data:
        if os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL:
            reason = "it was killed (out of memory?)"
        elif os.WIFSIGNALED(status):
            reason = f"it died of signal {os.WTERMSIG(status)}"
        else:
            reason = f"it exited with status {os.WEXITSTATUS(status)}"
        raise LimitExceeded(f"the {what} worker ended without an answer: {reason}; "
                            f"if the memory budget was hit, raise it with --max-memory MB (0 for no limit)")
    payload = pickle.loads(data)
    if payload[0] == "ok":
        return payload[1]
    if payload[0] == "memory":
        raise LimitExceeded(f"the {what} needed more than {budget.max_memory_mb:,} MB (the memory budget); "
                            f"raise it with --max-memory MB (0 for no limit)")
    raise _rebuild(*payload[1:])


__all__ = ["Budget", "UNLIMITED", "stream_budgeted", "DEFAULT_TIMEOUT", "DEFAULT_MAX_ROWS", "DEFAULT_MAX_MEMORY_MB",
           "run_budgeted", "check_rows", "can_fork", "send_in_batches"]
