"""Damaged input never escapes as an unexpected exception: a clear NotAReport / UnreadableInput or a parse."""
import random

import pytest

from crawler.report import NotAReport, UnreadableInput, parse_report
from tests.fixtures import FIXTURES, SITES

INPUTS = [p for p in FIXTURES.rglob("*.*") if p.suffix in (".html", ".txt", ".pdf", ".doc")]
INPUTS += [SITES / "www.dongpo.gov.test" / "xxgk" / "ndbg" / "qzf2021.docx"]


def damaged(seed: int) -> bytes:
    rnd = random.Random(seed)
    body = rnd.choice(INPUTS).read_bytes()
    how = rnd.randrange(3)
    if how == 0:
        return body[:rnd.randrange(len(body))]                      # truncated download
    if how == 1:
        noisy = bytearray(body)
        for _ in range(rnd.randrange(1, 30)):
            noisy[rnd.randrange(len(noisy))] = rnd.randrange(256)   # flipped bytes
        return bytes(noisy)
    return body[rnd.randrange(len(body)):]                          # lost beginning


@pytest.mark.parametrize("seed", range(120))
def test_damaged_input_fails_cleanly(seed):
    try:
        report = parse_report(damaged(seed))
    except (NotAReport, UnreadableInput) as exc:
        assert str(exc) and "\n" not in str(exc)
    else:
        assert isinstance(report["flags"], list)
