"""The vocabulary in crawler/schema.py is the one the spec, the README and the parser use."""
import re

import pytest

from crawler.schema import (
    ACTIVE_ITEMS,
    APPEAL_CELLS,
    APPLICANT_COLUMNS,
    APPLICATION_ROWS,
    FLAGS,
    OTHER_SUBROWS,
    OUTCOME_ROWS,
    expected_application_rows,
    flag,
)
from tests.fixtures import ROOT

SPEC = ROOT / "docs" / "report-schema.md"          # the contract, frozen in the repository
SHARED_SPEC = ROOT.parent / "shared" / "spec" / "report-schema.md"


def flag_table_codes(markdown: str) -> set[str]:
    section = markdown[markdown.index("## Flags"):]
    section = section[:section.find("\n## ", 1)] if "\n## " in section[1:] else section
    codes = set()
    for line in section.split("\n"):
        if line.startswith("|") and not line.startswith("|---"):
            codes.update(re.findall(r"`?\b([a-z]+(?:_[a-z]+)*)\b`?", line.split("|")[1]))
    return codes - {"code"}


def test_readme_flag_table_lists_exactly_the_schema_codes():
    assert flag_table_codes((ROOT / "README.md").read_text(encoding="utf-8")) == set(FLAGS)


# Flag codes the project added to the shared contract (extended only additively); the frozen spec lists them too.
ADDITIVE_FLAGS = {"agency_respelled"}


@pytest.mark.parametrize("spec", [SPEC, SHARED_SPEC], ids=["frozen", "shared"])
def test_spec_flag_codes_and_cell_keys_are_the_schema_s(spec):
    if not spec.exists():
        pytest.skip(f"{spec} is not beside this checkout")
    text = spec.read_text(encoding="utf-8")
    assert flag_table_codes(text) == set(FLAGS) - (ADDITIVE_FLAGS if spec == SHARED_SPEC else set())
    for key in [*APPLICANT_COLUMNS, *APPLICATION_ROWS, *(c.split(".")[1] for c in APPEAL_CELLS),
                *(m for items in ACTIVE_ITEMS.values() for measures in items.values() for m in measures)]:
        assert f"`{key}`" in text or key in text, key


def test_frozen_spec_is_the_shared_one():
    if not SHARED_SPEC.exists():
        pytest.skip("../shared is not beside this checkout")
    frozen = [line for line in SPEC.read_text(encoding="utf-8").split("\n")
              if not any(line.startswith(f"| {code} |") for code in ADDITIVE_FLAGS)]
    assert "\n".join(frozen) == SHARED_SPEC.read_text(encoding="utf-8")


def test_template_rows():
    assert len(APPLICATION_ROWS) == 26 and len(OUTCOME_ROWS) == 19
    assert set(expected_application_rows("2021")) - set(expected_application_rows("2019")) == set(OTHER_SUBROWS)


def test_unknown_flag_codes_are_refused():
    assert flag("partial_table", "x") == {"code": "partial_table", "detail": "x"}
    with pytest.raises(KeyError):
        flag("balance_mismatsh", "typo")
