"""The accuracy gate: parse every report that has a hand-checked answer file and score it.

    python bench/accuracy.py               # tests/fixtures/**/NAME.expected.json beside NAME.<ext>
    python bench/accuracy.py DIR ... -v    # other directories of answer files; -v lists every miss
    python bench/accuracy.py --record      # write the current scores as the floor tests hold

Prints, per file and overall: cells right / scored, wrong non-null cells (a figure that is not
the printed one: the worst error), null cells, and field and flag misses. Exits 1 when a file
scores below its recorded floor (tests/fixtures/real/scores.json) or prints a wrong number.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from crawler.accuracy import Score, answer_cases, score_file  # noqa: E402

FIXTURES = ROOT / "tests" / "fixtures"
SCORES = FIXTURES / "real" / "scores.json"


def below_floor(summary: dict, floor: dict) -> list[str]:
    """How a file's score fell below its recorded floor (empty when it did not)."""
    drops = []
    if summary["right"] < floor["right"]:
        drops.append(f"{summary['right']} cells right, recorded {floor['right']}")
    for key in ("wrong", "field_misses", "flag_misses"):
        if summary[key] > floor[key]:
            drops.append(f"{summary[key]} {key}, recorded {floor[key]}")
    return drops


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dirs", nargs="*", type=Path, help="directories with answer files (default: tests/fixtures)")
    parser.add_argument("-v", "--verbose", action="store_true", help="list every wrong or null cell and every miss")
    parser.add_argument("--record", action="store_true", help=f"write the scores to {SCORES.relative_to(ROOT)}")
    args = parser.parse_args(argv)
    dirs = args.dirs or [FIXTURES]
    floors = json.loads(SCORES.read_text()) if SCORES.exists() else {}
    total, scores, failures = Score(), {}, []
    print(f"{'file':52} {'right/cells':>13} {'%':>7} {'wrong':>5} {'null':>5} {'fields':>6} {'flags':>5}")
    for directory in dirs:
        for path, answer in answer_cases(directory):
            name = str(path.relative_to(FIXTURES) if path.is_relative_to(FIXTURES) else path)
            score = score_file(path, answer)
            total.add(score)
            scores[name] = score.summary()
            print(f"{name:52} {score.right:>6}/{score.cells:<6} {score.share:>7.1%} {len(score.wrong):>5} "
                  f"{len(score.missed):>5} {len(score.field_misses):>6} {len(score.flag_misses):>5}")
            details = score.wrong + (score.missed + score.field_misses + score.flag_misses if args.verbose else [])
            for line in details:
                print(f"    {'WRONG ' if line in score.wrong else ''}{line}")
            if name in floors:
                failures += [f"{name}: {drop}" for drop in below_floor(score.summary(), floors[name])]
            if score.wrong:
                failures.append(f"{name}: {len(score.wrong)} wrong non-null cells")
    print(f"{'overall':52} {total.right:>6}/{total.cells:<6} {total.share:>7.1%} {len(total.wrong):>5} "
          f"{len(total.missed):>5} {len(total.field_misses):>6} {len(total.flag_misses):>5}")
    if args.record:
        SCORES.write_text(json.dumps(scores, ensure_ascii=False, indent=1, sort_keys=True) + "\n")
        print(f"recorded {len(scores)} scores in {SCORES.relative_to(ROOT)}")
        return 0
    for failure in failures:
        print(f"FAIL {failure}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
