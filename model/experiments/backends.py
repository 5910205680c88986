"""Where runs execute: in this process, in a standard-library process pool, or on a Dask cluster.

A backend maps a function over items and yields ``(index, result)`` as runs finish; results do not
depend on which backend ran them, nor on the number of workers. It handles the signals (Ctrl-C,
SIGTERM) so that an interrupted job stops its workers at once, and reports a worker that died.
"""

from __future__ import annotations

import multiprocessing
import os
import re
import signal
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Protocol

from ..errors import ScenarioError, WorkerDiedError

# The pool's own start method, whatever the caller set globally (mesa.batch_run, for one, switches
# the process to "spawn", after which every worker re-imports NumPy, Mesa and the model: a 2-worker
# job of 0.6 s took 9-16 s). "fork" starts a worker in milliseconds with the parent's imports; the
# parent forks before it starts any thread of its own (see map_unordered).
POOL_CONTEXT = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn")


class Backend(Protocol):
    """What the experiments layer needs of a place to run: map, then close."""

    def map_unordered(
        self,
        fn: Callable,
        items: list,
        describe: Callable[[object], str] = str,
        meanwhile: Callable[[], None] | None = None,
        runs_of: Callable[[object], int] = lambda _: 1,
    ) -> Iterator[tuple[int, object]]: ...

    def close(self) -> None: ...


_STOP_SIGNALS = {signal.SIGINT, signal.SIGTERM, signal.SIGHUP}


_PR_SET_PDEATHSIG = 1  # linux/prctl.h


def _die_with_parent(parent: int) -> None:
    """End this worker when the process that started it ends, however it ends (``kill -9``, the OOM
    killer, a CI timeout, SIGHUP to the parent alone), instead of living on as an orphan.

    On Linux the kernel sends SIGKILL at the parent's death (``PR_SET_PDEATHSIG``); elsewhere a
    watcher thread checks every second. A parent that died before this point is caught by the
    check of the parent's process id that follows either way.
    """
    try:
        import ctypes  # noqa: PLC0415 - only in worker processes

        libc = ctypes.CDLL(None, use_errno=True)
        armed = libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0
    except (OSError, AttributeError):
        armed = False
    if os.getppid() != parent:
        os._exit(1)
    if not armed:

        def watch() -> None:
            while os.getppid() == parent:
                time.sleep(1.0)
            os._exit(1)

        threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def _start_worker(parent: int) -> None:
    """Worker initialiser: die with the parent (``_die_with_parent``); leave signals to it (``_ignore_interrupts``)."""
    _die_with_parent(parent)
    _ignore_interrupts()


def _ignore_interrupts() -> None:
    """Ctrl-C reaches the whole process group; only the parent handles it.

    SIGTERM gets its default action back (the parent's handler was inherited through fork), so
    the parent can stop workers at once when it is interrupted. The workers are forked with both
    signals blocked (``LocalBackend``), so one that arrives before this point waits and meets
    the worker's own dispositions, not the parent's handlers (which raise KeyboardInterrupt and
    would send a forked copy of the parent back up the parent's call stack).
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGHUP, signal.SIG_IGN)  # a closed terminal: the parent stops the workers
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, _STOP_SIGNALS)


def _stop_workers(pool: ProcessPoolExecutor) -> None:
    """Stop now rather than wait for the runs in progress (a run can take minutes).

    ``shutdown()`` forgets the processes, so they are taken first.
    """
    workers = list((getattr(pool, "_processes", None) or {}).values())
    for proc in workers:
        proc.terminate()
    pool.shutdown(wait=False, cancel_futures=True)
    for proc in workers:
        proc.join(timeout=2)
        if proc.is_alive():
            # a worker forked an instant earlier may not yet have reset SIGTERM (it inherits the
            # parent's handler, which raises KeyboardInterrupt); if it survives, the pool's
            # shutdown would wait for it for ever
            proc.kill()
            proc.join(timeout=5)


class LocalBackend:
    """Runs in this process (workers=1) or in a standard-library process pool."""

    def __init__(self, workers: int = 1) -> None:
        self.workers = workers

    def map_unordered(
        self,
        fn: Callable,
        items: list,
        describe: Callable[[object], str] = str,
        meanwhile: Callable[[], None] | None = None,
        runs_of: Callable[[object], int] = lambda _: 1,
    ) -> Iterator[tuple[int, object]]:
        """Yield ``(index, fn(item))`` as runs finish; on interruption, pending runs are cancelled.

        ``meanwhile``: work of this process's own (such as an import it will need afterwards),
        called once the runs are under way: in a pool right after they are handed out, so it
        overlaps with them; in this process before the first run. A worker process that dies
        (killed, out of memory, crashed) raises ``WorkerDiedError`` naming the runs that were in
        progress, after every run that finished has been yielded. ``runs_of(item)``: how many runs
        an item is (a batch of replications is several), for that message.
        """
        if self.workers <= 1:
            if meanwhile is not None:
                meanwhile()
            for i, item in enumerate(items):
                yield i, fn(item)
            return
        with ProcessPoolExecutor(
            max_workers=self.workers, mp_context=POOL_CONTEXT, initializer=_start_worker, initargs=(os.getpid(),)
        ) as pool:
            # the workers are forked at the first submit; they start with SIGINT and SIGTERM
            # blocked until their initialiser has set their own dispositions (held here, not lost)
            mask = signal.pthread_sigmask(signal.SIG_BLOCK, _STOP_SIGNALS)
            try:
                futures: dict[Future, int] = {pool.submit(fn, item): i for i, item in enumerate(items)}
            finally:
                signal.pthread_sigmask(signal.SIG_SETMASK, mask)
            pending = set(futures)
            broken = False
            try:
                if meanwhile is not None:
                    # the workers were forked at the first submit, so no thread of ours is copied;
                    # inside the try, so that Ctrl-C during it stops the workers as below
                    meanwhile()
                while pending:
                    finished, pending = wait(pending, return_when=FIRST_COMPLETED)
                    for fut in sorted(finished, key=futures.__getitem__):
                        if isinstance(fut.exception(), BrokenProcessPool):
                            broken = True
                            continue
                        yield futures[fut], fut.result()
                    if broken:
                        break
            except BaseException:
                _stop_workers(pool)
                raise
            if broken:
                # runs are handed to the workers in submission order: the earliest unfinished
                # ones were in progress when the worker died
                lost = sorted(i for fut, i in futures.items() if isinstance(fut.exception(), BrokenProcessPool))
                doing = "; ".join(describe(items[i]) for i in lost[: self.workers])
                total = sum(runs_of(item) for item in items)
                done = total - sum(runs_of(items[i]) for i in lost)
                raise WorkerDiedError(
                    f"a worker process died (killed, out of memory or crashed) while running one of: {doing}; "
                    f"{done} of {total} runs had finished"
                )

    def close(self) -> None:
        """Nothing to release."""


class DaskBackend:
    """Runs on a Dask cluster: ``address`` of a running scheduler, or ``local`` for one on this machine.

    Needs the optional extra: ``pip install 'district-sim[dask]'`` (and the project installed on
    every worker machine).
    """

    def __init__(self, address: str, workers: int = 1) -> None:
        if address != "local" and not re.fullmatch(r"([a-z]+://)?[A-Za-z0-9_.\-\[\]:]+:\d{1,5}", address):
            raise ScenarioError(f"--dask {address}: give 'local' or a scheduler address like tcp://host:8786")
        try:
            from distributed import Client, LocalCluster  # noqa: PLC0415 - optional extra
        except ImportError:
            raise ScenarioError(
                "--dask needs Dask: pip install 'dask[distributed]' (or the project's dask extra)"
            ) from None
        self._cluster = None
        try:
            if address == "local":
                self._cluster = LocalCluster(
                    n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None
                )
                self._client = Client(self._cluster)
            else:
                self._client = Client(address, timeout="3s")
        except (OSError, TimeoutError, ValueError) as exc:
            raise ScenarioError(f"--dask {address}: cannot reach the scheduler ({str(exc)[:200]})") from None

    def map_unordered(
        self,
        fn: Callable,
        items: list,
        describe: Callable[[object], str] = str,
        meanwhile: Callable[[], None] | None = None,
        runs_of: Callable[[object], int] = lambda _: 1,
    ) -> Iterator[tuple[int, object]]:
        """As ``LocalBackend.map_unordered``, on the cluster's workers."""
        from distributed import KilledWorker, as_completed  # noqa: PLC0415 - optional extra

        futures = self._client.map(fn, items, pure=False)
        index = {fut.key: i for i, fut in enumerate(futures)}
        done = 0
        try:
            if meanwhile is not None:
                meanwhile()
            for fut in as_completed(futures):
                try:
                    value = fut.result()
                except KilledWorker:
                    total = sum(runs_of(item) for item in items)
                    raise WorkerDiedError(
                        f"Dask workers died each time they ran {describe(items[index[fut.key]])} "
                        f"(killed, out of memory or crashed); {done} of {total} runs had finished"
                    ) from None
                done += runs_of(items[index[fut.key]])
                yield index[fut.key], value
        except BaseException:
            self._client.cancel(futures)
            raise

    def close(self) -> None:
        self._client.close()
        if self._cluster is not None:
            self._cluster.close()


def make_backend(workers: int, dask: str | None = None) -> Backend:
    return DaskBackend(dask, workers) if dask else LocalBackend(workers)
