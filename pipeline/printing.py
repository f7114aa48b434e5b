"""A PDF of the archive beside it, when LibreOffice is installed.

Rendering is a courtesy, never a condition of the run: without ``soffice`` (or when it fails,
hangs or the archive is too big to be worth printing) the run goes on with one log line. The
PDF is rendered into a private temporary folder, with a private LibreOffice profile (two runs
at once do not clash), then moved beside the archive in one rename. A PDF left by an earlier
run is removed first, so a PDF beside the archive always shows that archive.
"""

from __future__ import annotations

import logging
import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

log = logging.getLogger("pipeline.printing")

PDF_ENV = "LIANZHENG_PDF"  # "0" turns the PDF off (the test suite does, except its print test)
PDF_TIMEOUT_S = 180.0
# The demo (266 points, ~110 pages) renders in ~8 s; past ~2,000 points LibreOffice needs
# minutes and the office rarely prints the whole catalogue from it: not rendered (logged).
MAX_PDF_POINTS = 2000
SOFFICE_NAMES = ("soffice", "libreoffice")


def soffice() -> str | None:
    """The LibreOffice command, or None when it is not installed."""
    for name in SOFFICE_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


def pdf_path(workbook: Path) -> Path:
    return workbook.with_suffix(".pdf")


def render_pdfs(workbooks: list[Path], outdir: Path, timeout: float = PDF_TIMEOUT_S) -> list[Path]:
    """Convert workbooks to PDF into ``outdir`` with one LibreOffice start; returns the PDFs
    made. Raises ``OSError``/``subprocess.SubprocessError`` when LibreOffice fails or hangs."""
    command = soffice()
    if command is None:
        raise FileNotFoundError("soffice not installed")
    outdir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="lz-lo-profile-") as profile:
        args = [
            command,
            f"-env:UserInstallation={Path(profile).as_uri()}",
            "--headless",
            "--norestore",
            "--convert-to",
            "pdf",
            "--outdir",
            str(outdir),
            *map(str, workbooks),
        ]
        proc = subprocess.Popen(
            args,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,  # its own process group: a hang is killed whole
        )
        try:
            _out, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            _kill(proc)
            raise
        if proc.returncode != 0:
            raise subprocess.CalledProcessError(proc.returncode, args, stderr=err)
    made = [outdir / pdf_path(Path(w)).name for w in workbooks]
    return [p for p in made if p.is_file() and p.stat().st_size > 0]


def _kill(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError, AttributeError):
        proc.kill()
    proc.communicate()


def archive_pdf(workbook: Path, n_points: int) -> Path | None:
    """Write ``<archive>.pdf`` beside the archive; None (and one log line) when skipped."""
    final = pdf_path(workbook)
    try:
        final.unlink(missing_ok=True)  # never leave a PDF of an older archive beside it
    except OSError as exc:
        log.warning("archive PDF skipped: the old PDF cannot be replaced (%s)", exc)
        return None
    if os.environ.get(PDF_ENV, "1") == "0":
        log.info("archive PDF skipped: turned off by %s=0", PDF_ENV)
        return None
    if n_points > MAX_PDF_POINTS:
        log.info("archive PDF skipped: %d points (more than %d)", n_points, MAX_PDF_POINTS)
        return None
    if soffice() is None:
        log.info("archive PDF skipped: LibreOffice (soffice) is not installed")
        return None
    try:
        with tempfile.TemporaryDirectory(prefix="lz-pdf-", dir=workbook.parent) as work:
            made = render_pdfs([workbook], Path(work))
            if not made:
                log.warning("archive PDF skipped: LibreOffice wrote no PDF")
                return None
            os.chmod(made[0], 0o644)
            os.replace(made[0], final)
    except (OSError, subprocess.SubprocessError) as exc:
        log.warning("archive PDF skipped: LibreOffice failed (%s)", exc)
        return None
    log.info("archive PDF written: %s", final.name)
    return final
