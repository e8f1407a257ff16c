"""A model's name as a pricing page writes it, without the annotations around it.

Pages decorate names: "Claude Sonnet 3.7 ( deprecated )", "gpt-3.5-turbo Legacy", "New GPT-5",
"Gemini 3.1 Flash Image Preview 🍌", "o3-pro*", "gpt-4.5-preview¹". The annotation is not part of
the name (the API calls the model ``claude-3-7-sonnet``, not "... ( deprecated )"), so a key kept
with it would never match the same model elsewhere and would split its price history the day the
page adds the note. What an annotation says that matters (the model is deprecated) is returned
beside the name.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

#: Words that, in parentheses or as a separate tag at either end, mark a model as on its way out.
_RETIRING = r"deprecated|legacy|retired|retiring|shut\s*down|discontinued|sunset"
#: Words that only decorate ("New", "Beta" badges): dropped, nothing kept.
_BADGES = r"new|beta|updated"

_PAREN_NOTE = re.compile(rf"\(\s*(?:(?P<retiring>{_RETIRING})|{_BADGES})\b[^()]*\)", re.I)
_EDGE_TAG = re.compile(rf"^(?:(?P<lead>{_RETIRING}|{_BADGES})\s*[:\-–]?\s+)|(?:\s+(?P<trail>{_RETIRING}|{_BADGES}))$", re.I)
_FOOTNOTE = re.compile(r"(?:\s*(?:[*†‡§¶]+|\[\s*(?:\d{1,2}|\*+)\s*\]|[\u00b9\u00b2\u00b3\u2070-\u2079]+))+$")
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class ModelLabel:
    """A page's model name without annotations, and whether an annotation marked it deprecated."""

    name: str
    deprecated: bool = False


def model_label(text: str) -> ModelLabel:
    """``"Claude Sonnet 3.7 ( deprecated )"`` -> ``ModelLabel("Claude Sonnet 3.7", deprecated=True)``.

    Removed: parenthesised notes that say deprecated / legacy / new / beta..., the same words as a
    separate tag at the start or end, trailing footnote marks (``*``, ``†``, ``[1]``, ``¹``), and
    pictographs (emoji, ``®``). Anything else in the name stays: "(Live API)" may tell two models apart.
    """
    name = "".join(ch for ch in text if unicodedata.category(ch) != "So" and ch not in "\ufe0f\u200d")
    deprecated = False
    for _ in range(3):  # "New GPT-5 (legacy)*": a few annotations may stack
        before = name
        for match in _PAREN_NOTE.finditer(name):
            deprecated = deprecated or match.group("retiring") is not None
        name = _PAREN_NOTE.sub(" ", name)
        name = _FOOTNOTE.sub("", _SPACE.sub(" ", name).strip())
        tag = _EDGE_TAG.search(name)
        if tag is not None and len(name) > len(tag.group(0).strip()):
            word = (tag.group("lead") or tag.group("trail") or "").lower()
            deprecated = deprecated or re.fullmatch(_RETIRING, word) is not None
            name = (name[: tag.start()] + name[tag.end():]).strip()
        if name == before:
            break
    return ModelLabel(_SPACE.sub(" ", name).strip(" -–:"), deprecated)
