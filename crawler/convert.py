"""Office formats our own readers cannot read, converted by LibreOffice headless (Debian's
libreoffice-writer-nogui and libreoffice-calc-nogui, installed by `make system-deps`):
Kingsoft .wps and .doc files the piece-table reader fails on become .docx, .xls becomes .xlsx.
Each conversion runs in its own temporary profile, so parse workers can convert side by side.
"""
from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from .exc import AttachmentError

TIMEOUT = 120      # seconds; a document LibreOffice chokes on is stored raw, not waited on forever


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def convert(body: bytes, source_ext: str, target_ext: str) -> bytes:
    """`body` (a file of type `source_ext`) converted to `target_ext`, or AttachmentError saying why not."""
    program = soffice()
    if not program:
        raise AttachmentError(f"a .{source_ext} file needs LibreOffice to be read (Debian libreoffice-writer-nogui / "
                              "libreoffice-calc-nogui; `make system-deps` installs them)")
    with tempfile.TemporaryDirectory(prefix="nianbao-lo-") as tmp:
        source = Path(tmp) / f"input.{source_ext}"
        source.write_bytes(body)
        try:
            done = subprocess.run([program, f"-env:UserInstallation=file://{tmp}/profile", "--headless", "--norestore",
                                   "--nologo", "--convert-to", target_ext, "--outdir", str(Path(tmp) / "out"), str(source)],
                                  capture_output=True, timeout=TIMEOUT)
        except subprocess.TimeoutExpired as exc:
            raise AttachmentError(f"LibreOffice did not convert the .{source_ext} file within {TIMEOUT} s") from exc
        result = Path(tmp) / "out" / f"input.{target_ext}"
        if done.returncode or not result.exists():
            said = [line.strip() for line in done.stderr.decode("utf-8", "replace").splitlines() if line.strip()]
            reason = next((line for line in reversed(said) if line.startswith("Error")), said[-1] if said else "no output")
            raise AttachmentError(f"LibreOffice could not convert the .{source_ext} file ({reason[:200]})")
        return result.read_bytes()
