"""Knowledge base: provider location codes to countries and GDPR Chapter V jurisdictions.

Public API (other packages code against exactly these names)::

    kb = default_kb()                      # or KnowledgeBase.load(data_dir)
    kb.version                             # data release, e.g. "2026.11.28"
    kb.resolve("aws:eu-west-2")            # -> Place(jurisdiction="adequate", countries=("GB",))
    kb.country("CH"); kb.adequacy("US"); kb.processor("microsoft"); kb.article("28(3)")
    kb.aws_regions(); kb.m365_geos(); kb.slack_regions()
    kb.standard("ISO 27001"); kb.published_certifications("slack")
    describe(place)                        # text for `residency kb lookup`
"""

from __future__ import annotations

from functools import cache

from core.knowledge.describe import describe
from core.knowledge.kb import NAMESPACES, KnowledgeBase
from core.knowledge.place import JURISDICTION_ORDER, Jurisdiction, Place, SourceRef

__all__ = [
    "JURISDICTION_ORDER",
    "NAMESPACES",
    "Jurisdiction",
    "KnowledgeBase",
    "Place",
    "SourceRef",
    "default_kb",
    "describe",
]


@cache
def default_kb() -> KnowledgeBase:
    """The shipped knowledge base, loaded and validated once per process."""
    return KnowledgeBase.load()
