"""What kind of file system a project lives on.

SQLite's WAL mode keeps its index in shared memory (the ``-shm`` file, mapped into every
process that has the project open), which works only when all those processes run on one
host. On a network file system (NFS, SMB/CIFS, and most FUSE mounts such as sshfs) two
analysts' machines would each map their own copy, and both could write the file at once:
the project is corrupted without an error. qualcode refuses to write a project there.
"""

from __future__ import annotations

import functools
import os
import sys
from pathlib import Path
from typing import Any

# f_type of statfs(2) on Linux, for the file systems that share a file between hosts
NETWORK_MAGIC = {
    0x6969: "NFS",
    0x517B: "SMB",
    0xFE534D42: "SMB2",
    0xFF534D42: "CIFS",
    0x65735546: "FUSE",
    0x5346414F: "AFS",
    0x73757245: "Coda",
    0x564C: "NCP",
    0x00C36400: "Ceph",
    0x01021997: "9P",
    0x01161970: "GFS2",
    0x7461636F: "OCFS2",
    0x0BD00BD0: "Lustre",
}
# the same, by the names macOS and the BSDs give in f_fstypename
NETWORK_NAMES = {
    "nfs": "NFS",
    "smbfs": "SMB",
    "cifs": "CIFS",
    "afpfs": "AFP",
    "webdav": "WebDAV",
    "osxfuse": "FUSE",
    "macfuse": "FUSE",
    "fusefs": "FUSE",
}

ALLOW_ENV = "QUALCODE_ALLOW_NETWORK_FS"


def network_filesystem(path: str | Path) -> str | None:
    """The name of the network file system ``path`` (a file or the folder it would be
    made in) is on, or None for a local one (and when the system cannot tell)."""
    folder = Path(path)
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    return _classify(filesystem_type(folder))


@functools.cache
def _statfs() -> Any:
    """libc's statfs, looked up once per process (None where there is none). ctypes is
    imported here, not with the module: a command that only reads never asks, and the
    import costs every command's start. The symbol is taken from the running program
    (which has libc loaded) before ``find_library`` is tried, as that runs ldconfig, a
    child process."""
    import ctypes

    try:
        return ctypes.CDLL(None, use_errno=True).statfs
    except (OSError, AttributeError):
        pass
    import ctypes.util

    libc_name = ctypes.util.find_library("c")
    if not libc_name:
        return None
    try:
        return ctypes.CDLL(libc_name, use_errno=True).statfs
    except (OSError, AttributeError):
        return None


def filesystem_type(path: Path) -> int | str | None:
    """statfs(2)'s f_type (Linux) or f_fstypename (macOS, BSD); None if unknown."""
    statfs = _statfs()
    if statfs is None:
        return None
    import ctypes  # loaded by _statfs already

    buf = ctypes.create_string_buffer(4096)  # larger than any struct statfs
    if statfs(os.fsencode(str(path)), buf) != 0:
        return None
    if sys.platform.startswith("linux"):
        # f_type is the first member, a long (__fsword_t)
        return ctypes.c_ulong.from_buffer(buf).value & 0xFFFFFFFF
    if sys.platform == "darwin":
        # struct statfs (64-bit inodes): f_bsize, f_iosize (4 bytes each), five counts
        # (8 each), f_fsid (8), f_owner, f_type, f_flags, f_fssubtype (4 each), then
        # f_fstypename[16] at byte 72
        raw = buf.raw[72:88]
        return raw.split(b"\0", 1)[0].decode("ascii", "replace").lower() or None
    return None


def _classify(kind: int | str | None) -> str | None:
    if isinstance(kind, int):
        return NETWORK_MAGIC.get(kind)
    if isinstance(kind, str):
        return NETWORK_NAMES.get(kind)
    return None


def network_writes_allowed() -> bool:
    """The analyst said (QUALCODE_ALLOW_NETWORK_FS=1) that only this machine uses the
    project on that file system, so its shared memory stays on one host."""
    return os.environ.get(ALLOW_ENV, "") == "1"
