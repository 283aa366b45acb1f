"""Run a command and write its peak resident memory (KiB) to a file.

    python bench/_rss.py OUT.txt COMMAND ARGS...

A child's ru_maxrss counts the memory of the process it was forked from until it execs,
so a benchmark that starts commands from a big Python process would see its own size in
every command's peak. This launcher is small (a bare interpreter), so the figure it
writes is the command's own.
"""

import os
import sys

out, *argv = sys.argv[1:]
pid = os.fork()
if pid == 0:
    try:
        os.execv(argv[0], argv)
    finally:
        os._exit(127)
_pid, status, usage = os.wait4(pid, 0)
with open(out, "w") as fh:
    fh.write(str(usage.ru_maxrss))
sys.exit(os.waitstatus_to_exitcode(status))
