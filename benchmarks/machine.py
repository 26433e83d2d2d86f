"""What the machine did while the benchmarks ran: other processes' load, memory, import time.

Timings on a shared machine are only as good as its quiet: :class:`LoadMeter` measures
how many cores the *other* processes used over a stretch of time (all the busy CPU time
of /proc/stat, minus this process's own CPU time), so that every benchmark can print it
beside its figures and say when they are not to be trusted.
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Self

HERE = Path(__file__).resolve().parent

#: other processes' use above this many cores makes a benchmark's figures untrustworthy
QUIET_CORES = 0.2


@dataclass(frozen=True)
class CpuReading:
    """One reading of the clocks: wall seconds, all cores' busy seconds, this process's."""

    wall: float
    busy: float | None  # None where /proc/stat cannot be read
    own: float


def busy_seconds(stat_line: str, ticks_per_second: float) -> float:
    """The busy CPU seconds of the first line of /proc/stat (``cpu  user nice system idle
    iowait irq softirq steal ...``): everything but idle and iowait, all cores added up.
    Steal counts as busy: it is time that another guest of the host took from us."""
    fields = [int(f) for f in stat_line.split()[1:9]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = fields + [0] * (8 - len(fields))
    return (user + nice + system + irq + softirq + steal) / ticks_per_second


def read_cpu() -> CpuReading:
    """The clocks now. This process's time counts all its threads (BLAS's, PyTorch's,
    XLA's) and its children that have ended (a compiler that torch.compile started)."""
    t = os.times()
    own = t.user + t.system + t.children_user + t.children_system
    try:
        with open("/proc/stat") as f:
            busy = busy_seconds(f.readline(), os.sysconf("SC_CLK_TCK"))
    except (OSError, ValueError):
        busy = None
    return CpuReading(time.perf_counter(), busy, own)


@dataclass(frozen=True)
class Load:
    """Cores used on average over ``seconds``: by this process, and by all the others."""

    seconds: float
    own: float
    others: float | None

    def line(self) -> str:
        """One line for a benchmark's output, with a warning when others were busy."""
        cores = os.cpu_count() or 1
        if self.others is None:
            return (f"load: this process {self.own:.2f} cores over {self.seconds:.1f} s; other processes "
                    "unknown (no /proc/stat): WARNING, the machine's quiet was not checked")
        text = (f"load: other processes {self.others:.2f} cores of {cores}, this process {self.own:.2f}, "
                f"over {self.seconds:.1f} s")
        if self.others > QUIET_CORES:
            text += (f"\nWARNING: other processes used {self.others:.2f} cores (more than {QUIET_CORES}) "
                     "while this ran: the figures above are NOT to be trusted; run again on a quiet machine")
        return text


def load_between(start: CpuReading, end: CpuReading) -> Load:
    """The load from ``start`` to ``end``; other processes' use is never reported below 0
    (the two clocks tick in different steps)."""
    wall = max(end.wall - start.wall, 1e-9)
    own = (end.own - start.own) / wall
    others = None
    if start.busy is not None and end.busy is not None:
        others = max(0.0, (end.busy - start.busy) / wall - own)
    return Load(wall, own, others)


class LoadMeter:
    """``with LoadMeter() as meter: ...``, then ``meter.load``: the load over the block."""

    def __enter__(self) -> Self:
        self.start = read_cpu()
        return self

    def __exit__(self, *exc: object) -> None:
        self.load = load_between(self.start, read_cpu())


def run_on_threads(threads: int) -> None:
    """Start this script again with every library on ``threads`` threads, unless it already
    runs so: BLAS, OpenMP (PyTorch) and XLA (JAX) read their thread counts when they load."""
    env = {"OPENBLAS_NUM_THREADS": str(threads), "OMP_NUM_THREADS": str(threads),
           "MKL_NUM_THREADS": str(threads), "NUMPYVAE_THREADS": str(threads),
           "XLA_FLAGS": f"--xla_cpu_multi_thread_eigen={'true' if threads > 1 else 'false'} "
                        f"intra_op_parallelism_threads={threads}"}
    if all(os.environ.get(k) == v for k, v in env.items()):
        return
    sys.stdout.flush()
    os.execve(sys.executable, [sys.executable, *sys.argv], {**os.environ, **env})


def machine_line() -> str:
    """The processor, its cores, and NumPy's BLAS (named when threadpoolctl is installed)."""
    cpu = "unknown processor"
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        blas = "BLAS not named (pip install threadpoolctl to name it)"
    else:
        blas = ", ".join(f"{i['internal_api']} {i['version']} ({i.get('architecture') or '?'} kernel, "
                         f"{i['num_threads']} threads)"
                         for i in threadpool_info() if i["user_api"] == "blas" and "numpy" in i["filepath"])
    from numpyvae.fast.halves import threads

    spin = os.environ.get("OPENBLAS_THREAD_TIMEOUT", "not set: 28")
    return (f"{cpu}, {os.cpu_count()} cores; NumPy's BLAS: {blas or 'not found'}, idle threads "
            f"spin 2^{spin} cycles (OPENBLAS_THREAD_TIMEOUT); numpyvae's element-wise passes on "
            f"{threads()} thread(s) (fast.halves)")


def peak_rss_mb() -> float:
    """This process's peak resident memory in MiB: VmHWM of /proc/self/status.

    (``getrusage`` would do on a fresh process, but on Linux a child keeps the peak of
    the process it was forked from across exec, so a big parent would hide its child's.)
    """
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def import_time(repeats: int = 5) -> float:
    """The median time of ``import numpyvae`` in ``repeats`` fresh interpreters."""
    code = "import time; t = time.perf_counter(); import numpyvae; print(time.perf_counter() - t)"
    times = [float(subprocess.check_output([sys.executable, "-c", code], text=True)) for _ in range(repeats)]
    return statistics.median(times)


#: the child of train_run_peak_mb: ``numpyvae ARGS...``, then its own peak memory
_PEAK_OF_COMMAND = """
import sys
sys.path.insert(0, sys.argv[1])
from machine import peak_rss_mb
from numpyvae.cli import main
if main(sys.argv[2:]):
    sys.exit("numpyvae failed")
print("peak", peak_rss_mb())
"""


def train_run_peak_mb(data_dir: str, epochs: int) -> float:
    """Peak resident memory of ``numpyvae train`` in a child process, in MiB.

    The child reports its own peak (VmHWM): ``getrusage`` would report this (big)
    process's peak, which a child inherits across fork and exec on Linux.
    """
    with tempfile.TemporaryDirectory() as tmp:
        args = ["train", "--dataset", "mnist", "--data-dir", data_dir, "--epochs", str(epochs),
                "--out", str(Path(tmp) / "run"), "--quiet"]
        out = subprocess.run([sys.executable, "-c", _PEAK_OF_COMMAND, str(HERE), *args], check=True,
                             capture_output=True, text=True).stdout
    return float(out.split("peak")[-1])
