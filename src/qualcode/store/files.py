"""New files made under a private name beside their target and given their name only
when they are whole, so that nobody ever sees (or opens) a half-made file."""

from __future__ import annotations

import os
from pathlib import Path

from qualcode.errors import QualcodeError
from qualcode.i18n import translator

_, _n = translator("core")


def private_name(path: Path, what: str = "new") -> Path:
    """A hidden name beside ``path`` for a file this process alone writes."""
    # os.urandom, as secrets.token_hex uses: without loading secrets (and hashlib,
    # random, base64 with it) at every command's start
    return path.with_name(f".{path.name}.qualcode-{os.getpid()}-{os.urandom(4).hex()}.{what}")


def publish(tmp: Path, path: Path) -> None:
    """Give the finished, closed file ``tmp`` the name ``path``, unless another program
    made a file of that name meanwhile (then ``tmp`` is left for the caller)."""
    try:
        os.link(tmp, path)  # fails if the name is taken: never replaces a file
    except FileExistsError:
        raise QualcodeError(
            _("was created by another program meanwhile; nothing was written to it"),
            file=str(path),
        ) from None
    except OSError:  # a file system without hard links
        if path.exists():
            raise QualcodeError(
                _("was created by another program meanwhile; nothing was written to it"),
                file=str(path),
            ) from None
        os.rename(tmp, path)
        return
    tmp.unlink()


def discard(tmp: Path) -> None:
    """Remove a private file this process built and closed (with any journal of it)."""
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{tmp}{suffix}").unlink(missing_ok=True)
