"""What the benchmarks share: the machine, memory readings, percentiles, JSON output."""

from __future__ import annotations

import json
import os
import platform
import sqlite3
import statistics
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent


def machine() -> dict[str, str]:
    """The machine the figures were measured on."""
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        cpu = platform.processor()
    mem = meminfo_kib("MemTotal")
    try:
        import textual

        textual_version = textual.__version__
    except Exception:  # pragma: no cover - textual is a dependency
        textual_version = "?"
    return {
        "cpu": cpu or "?",
        "cores": str(os.cpu_count()),
        "nproc": str(len(os.sched_getaffinity(0)))
        if hasattr(os, "sched_getaffinity")
        else str(os.cpu_count()),
        "memory": f"{mem / 2**20:.1f} GiB" if mem else "?",
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "textual": textual_version,
    }


def meminfo_kib(field: str) -> int:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def status_kib(field: str) -> int:
    """A field of /proc/self/status in KiB (VmHWM: peak resident memory; VmRSS: now)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    if field == "VmHWM":  # not Linux: ru_maxrss is KiB on Linux, bytes on macOS
        import resource

        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return peak // 1024 if sys.platform == "darwin" else peak
    return 0


def since_process_start() -> float:
    """Seconds since this process started (Linux: from /proc, else since import)."""
    try:
        stat = Path("/proc/self/stat").read_text()
        start_ticks = int(stat.rsplit(")", 1)[1].split()[19])
        uptime = float(Path("/proc/uptime").read_text().split()[0])
        return uptime - start_ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return time.perf_counter() - _IMPORTED


_IMPORTED = time.perf_counter()


PYCACHE = (
    Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "qualcode-bench" / "pycache"
)


def user_env(env: dict[str, str]) -> dict[str, str]:
    """The environment a measured process gets: as a user's, with Python's bytecode cache
    on. (PYTHONDONTWRITEBYTECODE, set in some developer and CI shells, makes every run
    compile qualcode's modules from source again.) Then the cache goes to PYCACHE
    (PYTHONPYCACHEPREFIX, unless already set), not beside the sources; it is kept
    between runs, and every benchmark runs each program once untimed before timing it.
    qualcode speaks English here (QUALCODE_LANG=en): the floor scripts print English, and
    each command's output is compared with its floor's."""
    env = dict(env, QUALCODE_LANG="en")
    if env.pop("PYTHONDONTWRITEBYTECODE", None) is not None:
        env.setdefault("PYTHONPYCACHEPREFIX", str(PYCACHE))
    return env


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile (p in 0-100) of a non-empty list."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(p / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def median(values: list[float]) -> float:
    return statistics.median(values)


def timed(fn, repeat: int) -> list[float]:
    """Seconds of each of ``repeat`` calls of fn()."""
    out = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return out


def emit(result: dict) -> None:
    """The one line a benchmark prints for the runner: JSON after a marker, with the
    machine's load average at the end (other work on the machine skews every figure)."""
    if hasattr(os, "getloadavg"):
        result = {**result, "loadavg": os.getloadavg()[0]}
    print("BENCH-RESULT " + json.dumps(result, ensure_ascii=False), flush=True)


def parse(stdout: str) -> dict:
    for line in reversed(stdout.splitlines()):
        if line.startswith("BENCH-RESULT "):
            return json.loads(line[len("BENCH-RESULT ") :])
    raise ValueError("the benchmark printed no result:\n" + stdout[-2000:])
