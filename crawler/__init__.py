"""nianbao: crawl, parse and validate 政府信息公开工作年度报告."""

__version__ = "0.1.0"
# Bumped whenever parsing changes what a stored report would contain,
# so `python -m crawler reparse` can tell stale rows from fresh ones.
PARSER_VERSION = "2"
