"""Facts to words: the one place where evidence, summaries and page text get their language.

A template is a ``str.format`` string from a language's catalog. Its values
are the fact's params: numbers take a format spec (``{value:.0f}``), a
nested ``Fact`` is rendered first, a tuple of facts is joined by the
language's joiner named in the spec (``{signs:semicolon}``), and ``None``
shows as ``?``. Facts in a row are joined by the language's sentence gap
(a space in English, nothing in Chinese).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from alerting.words import en, zh_cn
from shouhu.domain import Fact, FactValue

log = logging.getLogger(__name__)

Language = Literal["en", "zh-CN"]
LANGUAGES: tuple[Language, ...] = ("en", "zh-CN")


@dataclass(frozen=True, slots=True)
class Catalog:
    messages: Mapping[str, str]
    joiners: Mapping[str, str]  # "comma", "semicolon", "and", "enum"
    gap: str  # between sentences


CATALOGS: dict[str, Catalog] = {
    "en": Catalog(en.MESSAGES, en.JOINERS, " "),
    "zh-CN": Catalog(zh_cn.MESSAGES, zh_cn.JOINERS, ""),
}


class _Unknown:
    """A value the detector did not have: shown as ``?`` whatever the format."""

    def __format__(self, spec: str) -> str:
        return "?"


class _Joined:
    def __init__(self, parts: list[str], joiners: Mapping[str, str]) -> None:
        self.parts = parts
        self.joiners = joiners

    def __format__(self, spec: str) -> str:
        return self.joiners[spec or "comma"].join(self.parts)


def render(facts: Sequence[Fact], language: str) -> str:
    """The facts in words. KeyError for an unknown language, message or param."""
    catalog = CATALOGS[language]
    return catalog.gap.join(_phrase(fact, catalog) for fact in facts)


def english(facts: Sequence[Fact]) -> str:
    """The English text of the facts: what ``Alert.evidence`` and the logs carry."""
    return render(facts, "en")


def say(key: str, language: str, **params: FactValue) -> str:
    """One message in words: page labels, the handover sheet, the dispatch text."""
    return render((Fact(key, **params),), language)


def joined(items: Sequence[str], language: str, how: str = "enum") -> str:
    """Plain text items (a resident's conditions, staff names) joined as the language does."""
    return CATALOGS[language].joiners[how].join(items)


def localized(facts: Sequence[Fact], fallback: str) -> dict[str, str]:
    """The facts in every language (see ``in_language``)."""
    return {language: in_language(facts, language, fallback) for language in LANGUAGES}


def in_language(facts: Sequence[Fact], language: str, fallback: str) -> str:
    """The facts in one language, or ``fallback`` (the stored English) where they cannot be.

    An incident stored before facts existed has none; a fact whose message a
    later catalog dropped is logged and shown as the stored text.
    """
    if not facts or language not in CATALOGS:
        return fallback
    try:
        return render(facts, language)
    except (KeyError, ValueError, IndexError) as exc:
        log.warning("cannot render %s in %s: %r", [f.key for f in facts], language, exc)
        return fallback


def _phrase(fact: Fact, catalog: Catalog) -> str:
    template = catalog.messages[fact.key]
    values = {name: _value(value, catalog) for name, value in fact.params.items()}
    return template.format_map(values)


def _value(value: FactValue, catalog: Catalog) -> object:
    if value is None:
        return _Unknown()
    if isinstance(value, Fact):
        return _phrase(value, catalog)
    if isinstance(value, tuple):
        return _Joined([_phrase(f, catalog) for f in value], catalog.joiners)
    return value
