"""Money printed in 元 where the template says 万元: "本年收费金额（单位：元）| 251000" is 25.1 万元.

The schema stores money in 万元. A report that prints 元, in the header cell or after the figure,
has its figure converted and flagged unit_converted with the value as printed.
"""
from __future__ import annotations

import re

from .schema import Flag, flag

# The header cell or label of each money figure of table 二, by item.
_MONEY_LABELS = {"fees": r"收费金额|行政事业性收费", "procurement": r"采购总金额|政府集中采购"}
# "(单位：元)", "（元）", "单位:人民币元" — 元 that is not 万元
_YUAN_HEADER = r"[(（]\s*(?:单位\s*[:：]?\s*)?(?:人民币)?\s*元\s*[)）]"
_YUAN_AFTER_FIGURE = r"[|:：]*\d[\d,]*(?:\.\d+)?元"
_YUAN_PER_MILLION = 10_000


def yuan_items(active_text: str) -> set[str]:
    """The table 二 items whose money the report prints in 元."""
    flat = re.sub(r"[ \t]+", "", active_text)
    return {item for item, label in _MONEY_LABELS.items()
            if re.search(rf"(?:{label})[^\n|]{{0,8}}{_YUAN_HEADER}", flat)
            or re.search(rf"(?:{label}){_YUAN_AFTER_FIGURE}", flat)}


def convert_to_wan(active: dict, active_text: str) -> list[Flag]:
    """Divide the 元 figures of `active` by 10 000 in place; one unit_converted flag per figure."""
    flags = []
    for item in sorted(yuan_items(active_text)):
        amount = (active.get(item) or {}).get("amount_wan")
        if amount is None:
            continue
        active[item]["amount_wan"] = round(amount / _YUAN_PER_MILLION, 6)
        flags.append(flag("unit_converted", f"{item}: printed {amount:g} 元, stored {active[item]['amount_wan']:g} 万元"))
    return flags
