"""What an erasure removes from free text: the rule, in one place, for both apps.

Columns that only ever hold a customer's data (their email, name, the emails
sent to them) are emptied outright. Free text written about them by staff
(case notes, resolution summaries, improvement actions, the admin's log) is
kept, with every occurrence of what identified the customer replaced: that
text records how the case was worked, which the outer loop still needs, and
what makes it personal is the name, the address and the id in it. Free text
can identify someone in other ways ("the CEO of ACME"); no pattern finds
those, so staff are asked to write notes about the problem, not the person.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from functools import cached_property

from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import models

ERASED = "[erased]"

# Parts of a name shorter than this are not replaced on their own ("Li" is a
# name, but also a syllable); the full name still is.
MIN_NAME_PART = 2


@dataclass(frozen=True)
class PersonalData:
    """What identified one customer, read just before it is erased."""

    customer_id: int
    # Matched anywhere: email addresses, external ids, full names.
    values: tuple[str, ...] = ()
    # Matched as whole words only: the parts of a name ("called Zebulon").
    words: tuple[str, ...] = field(default=())

    @classmethod
    def of(cls, customer) -> PersonalData:
        name = (customer.name or "").strip()
        return cls(
            customer_id=customer.pk,
            values=tuple(
                v
                for v in (
                    customer.email,
                    customer.external_id,
                    getattr(customer, "phone", None),
                    name,
                )
                if v
            ),
            words=tuple(part for part in name.split() if len(part) >= MIN_NAME_PART),
        )

    def with_values(self, *values: str) -> PersonalData:
        """The same customer, with more values known to identify them (an
        address they were emailed at before changing it, say)."""
        extra = tuple(v for v in values if v and v not in self.values)
        return PersonalData(self.customer_id, self.values + extra, self.words)

    @cached_property
    def _pattern(self) -> re.Pattern | None:
        # The HTML-escaped forms too ("O'Brien" is "O&#x27;Brien" in a page).
        anywhere = {form for v in self.values for form in (v, html.escape(v))}
        words = {form for w in self.words for form in (w, html.escape(w))}
        alternatives = [re.escape(v) for v in sorted(anywhere, key=len, reverse=True)]
        alternatives += [rf"\b{re.escape(w)}\b" for w in sorted(words, key=len, reverse=True)]
        if not alternatives:
            return None
        return re.compile("|".join(alternatives), re.IGNORECASE)

    def scrub(self, text: str) -> str:
        """``text`` with every occurrence of the customer's values replaced."""
        if not text or self._pattern is None:
            return text
        return self._pattern.sub(ERASED, text)

    def scrub_json(self, value):
        """A JSON value with every string in it (keys too) scrubbed."""
        if isinstance(value, str):
            return self.scrub(value)
        if isinstance(value, list):
            return [self.scrub_json(item) for item in value]
        if isinstance(value, dict):
            return {self.scrub(key): self.scrub_json(item) for key, item in value.items()}
        return value


def admin_log_scrub(
    *, model: type[models.Model], ids, personal: PersonalData, new_repr: str | None = None
) -> int:
    """Scrub the admin's history of the rows ``ids`` of ``model``: its
    ``object_repr`` is the row's ``str()`` at the time, which may have named
    the customer, even by a name they no longer have (then pass ``new_repr``
    to replace it whole). Returns how many entries changed."""
    entries = list(
        LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(model, for_concrete_model=False),
            object_id__in=[str(pk) for pk in ids],
        ).only("pk", "object_repr", "change_message")
    )
    changed = []
    for entry in entries:
        repr_ = new_repr if new_repr is not None else personal.scrub(entry.object_repr)
        message = personal.scrub(entry.change_message)
        if (repr_, message) != (entry.object_repr, entry.change_message):
            entry.object_repr, entry.change_message = repr_, message
            changed.append(entry)
    LogEntry.objects.bulk_update(changed, ["object_repr", "change_message"])
    return len(changed)
