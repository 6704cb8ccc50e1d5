"""nianbao's errors: every one derives from NianbaoError, so a caller can catch the project's
own failures apart from bugs."""
from __future__ import annotations


class NianbaoError(Exception):
    """Root of the project's errors."""


class ConfigError(NianbaoError):
    """Bad arguments or settings: a portal list, a year range, a page budget."""


class PortalListError(ConfigError):
    """The portal list (CSV or start URLs) cannot be used."""


class NotAReport(NianbaoError):
    """The input is readable but is not a 政府信息公开工作年度报告."""


class UnreadableInput(NianbaoError):
    """The input cannot be read at all (broken attachment, unsupported format); its bytes are still stored."""


class AttachmentError(UnreadableInput):
    """An attachment (PDF, DOCX, DOC) that its reader cannot read."""


class ParseLimitExceeded(AttachmentError):
    """Reading the input would pass one of crawler/limits.py's limits (a zip or Flate bomb)."""
