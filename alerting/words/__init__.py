"""Evidence and page text in the nurse's language: facts in, words out.

Detectors state what they saw as ``shouhu.domain.Fact`` values (a message
key and its numbers); ``render`` turns them into English (``en``) or
Simplified Chinese (``zh-CN``) from the catalogs ``en`` and ``zh_cn``, and
``codec`` stores them with an incident so they can be rendered again later.
"""

from alerting.words.codec import dump_facts, facts_from_json, facts_to_json, load_facts
from alerting.words.render import (
    CATALOGS,
    LANGUAGES,
    Language,
    english,
    in_language,
    joined,
    localized,
    render,
    say,
)

__all__ = [
    "CATALOGS",
    "LANGUAGES",
    "Language",
    "dump_facts",
    "english",
    "facts_from_json",
    "facts_to_json",
    "in_language",
    "joined",
    "load_facts",
    "localized",
    "render",
    "say",
]
