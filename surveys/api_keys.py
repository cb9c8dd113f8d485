"""REST API keys: issue, rotate, revoke and recognise them.

A key is ``nps_`` and 43 URL-safe characters (32 random bytes). Only its
SHA-256 digest is stored; the secret is shown once, when it is made.

A key found usable is kept in the process that checked it, with its user and
the user's permissions, for ``NPS_API_KEY_CACHE_SECONDS`` (5 by default; 0
keeps none): a client's requests then cost no query to authenticate. Kept
keys are looked up by digest and compared in constant time; expiry is checked
on every request. Revoking or rotating a key, and any change to a key, a user,
a group or a permission, forgets every kept key in the process that made the
change at once and again when it commits (a row read by another thread in
between is never kept); other processes (gunicorn workers, other hosts) stop honouring
a revoked key within those seconds.
"""

from __future__ import annotations

import hmac
import secrets
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypeVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Model, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from .audit import Action, audit_record
from .models import SCOPE_PERMISSIONS, ApiKey, ApiScope

M = TypeVar("M", bound=Model)

KEY_PREFIX = "nps_"
SHOWN_PREFIX_LENGTH = len(KEY_PREFIX) + 8
# last_used_at is written at most this often per key: one UPDATE a minute, not
# one per request.
LAST_USED_RESOLUTION = timedelta(minutes=1)


@dataclass(frozen=True)
class IssuedKey:
    api_key: ApiKey
    secret: str  # shown once, never stored


def scopes_clean(*, scopes: Iterable[str]) -> list[str]:
    """The scopes, checked and in the canonical order."""
    given = set(scopes)
    unknown = sorted(given - set(ApiScope.values))
    if unknown:
        raise ValidationError(
            {"scopes": _("Unknown scope: %(names)s.") % {"names": ", ".join(unknown)}}
        )
    return [scope for scope in ApiScope.values if scope in given]


def scope_permissions_missing(*, user, scopes: Iterable[str]) -> list[str]:
    """The permissions ``user`` lacks for a key of theirs to use ``scopes``."""
    needed = dict.fromkeys(perm for scope in scopes for perm in SCOPE_PERMISSIONS[scope])
    return [perm for perm in needed if not user.has_perm(perm)]


def scopes_allowed_check(*, user, scopes: Iterable[str]) -> None:
    """Refuse scopes that ``user`` may not use: a key can do no more than the
    user it acts as."""
    missing = scope_permissions_missing(user=user, scopes=scopes)
    if missing:
        raise ValidationError(
            {
                "scopes": _("%(user)s lacks the permission these scopes need: %(perms)s.")
                % {"user": user.get_username(), "perms": ", ".join(missing)}
            }
        )


def api_key_create(
    *,
    user,
    name: str,
    scopes: Iterable[str],
    created_by=None,
    expires_at: datetime | None = None,
    via: str,
    replaces: ApiKey | None = None,
) -> IssuedKey:
    """A new key acting as ``user`` with exactly ``scopes``, each of which
    ``user``'s permissions must allow."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("A key needs a name.")})
    scopes = scopes_clean(scopes=scopes)
    scopes_allowed_check(user=user, scopes=scopes)
    secret = KEY_PREFIX + secrets.token_urlsafe(32)
    api_key = ApiKey(
        user=user,
        name=name,
        scopes=scopes,
        prefix=secret[:SHOWN_PREFIX_LENGTH],
        digest=ApiKey.digest_of(secret),
        created_by=created_by,
        expires_at=expires_at,
        replaces=replaces,
    )
    api_key.full_clean(exclude=["user", "created_by", "replaces"])
    with transaction.atomic():
        api_key.save()
        audit_record(
            action=Action.API_KEY_CREATED,
            actor=created_by,
            via=via,
            objects=[api_key],
            details={
                "name": api_key.name,
                "prefix": api_key.prefix,
                "scopes": api_key.scopes,
                "acts_as": user.get_username(),
                **({"replaces": replaces.prefix} if replaces else {}),
            },
        )
    return IssuedKey(api_key, secret)


def api_key_revoke(*, api_key: ApiKey, actor=None, via: str, at: datetime | None = None) -> bool:
    """Stop the key working at ``at`` (now by default). False when it was
    already revoked or expired by then: nothing changes."""
    now = timezone.now()
    at = at or now
    with transaction.atomic():
        took = (
            ApiKey.objects.filter(pk=api_key.pk, revoked_at__isnull=True)
            .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=at))
            .update(**({"revoked_at": now} if at <= now else {"expires_at": at}))
        )
        if not took:
            return False
        verified_keys_forget()
        api_key.refresh_from_db(fields=["revoked_at", "expires_at"])
        audit_record(
            action=Action.API_KEY_REVOKED,
            actor=actor,
            via=via,
            objects=[api_key],
            details={
                "name": api_key.name,
                "prefix": api_key.prefix,
                **({"valid_until": at.isoformat()} if at > now else {}),
            },
        )
    return True


def api_key_rotate(
    *, api_key: ApiKey, actor=None, via: str, grace: timedelta = timedelta(0)
) -> IssuedKey:
    """A new key with the same user, name, scopes and expiry; the old one stops
    working after ``grace`` (at once by default), so a client can switch
    without a gap. Same user: the client's idempotency keys carry over."""
    now = timezone.now()
    with transaction.atomic():
        old = ApiKey.objects.select_for_update().get(pk=api_key.pk)
        if not old.is_usable(now):
            raise ValidationError(_("This key is revoked or expired; create a new one."))
        issued = api_key_create(
            user=old.user,
            name=old.name,
            scopes=old.scopes,
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
            expires_at=old.expires_at,
            via=via,
            replaces=old,
        )
        api_key_revoke(api_key=old, actor=actor, via=via, at=now + grace if grace else None)
    return issued


def api_key_find(*, secret: str) -> ApiKey | None:
    """The usable key with this secret, its user active; None otherwise.
    Records when it was used, at most once a minute. Each call gets its own
    copy of the key and its user (with the user's permissions loaded)."""
    digest = ApiKey.digest_of(secret)
    now = timezone.now()
    api_key = _verified_key(digest)
    if api_key is None:
        generation = _verified_generation  # read before the row: see _verified_remember
        api_key = ApiKey.objects.select_related("user").filter(digest=digest).first()
        if api_key is None or not api_key.is_usable(now) or not api_key.user.is_active:
            return None
        _verified_remember(api_key, digest, generation)
    elif not api_key.is_usable(now):
        return None  # expired while kept
    if api_key.last_used_at is None or api_key.last_used_at < now - LAST_USED_RESOLUTION:
        ApiKey.objects.filter(pk=api_key.pk).filter(
            Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - LAST_USED_RESOLUTION)
        ).update(last_used_at=now)
        api_key.last_used_at = now
    found = _copied(api_key)
    found.user = _copied(api_key.user)
    return found


def _copied(instance: M) -> M:
    """What ``copy.copy`` makes of a model instance (Django's ``__getstate__``:
    the fields, and a state and caches of its own), without the pickling
    protocol's round trip through the app registry: a kept key is copied on
    every request."""
    clone = object.__new__(type(instance))
    clone.__dict__.update(instance.__getstate__())
    return clone


# --- Keys found usable, kept briefly in this process ----------------------------


@dataclass
class _Verified:
    digest: str
    api_key: ApiKey  # its user's permissions loaded
    until: float  # time.monotonic()


_verified: dict[str, _Verified] = {}
# Bumped by every forget. A key read from the database is kept only if no
# forget happened since the read began: a revocation still uncommitted when
# another thread read the old row bumps it again on commit, so that row is
# never kept.
_verified_generation = 0
_verified_lock = threading.Lock()
# More distinct keys than this in one process within the kept seconds: start over.
VERIFIED_KEYS_MAX = 1000


def _verified_key(digest: str) -> ApiKey | None:
    entry = _verified.get(digest)
    if entry is None or entry.until <= time.monotonic():
        return None
    return entry.api_key if hmac.compare_digest(entry.digest, digest) else None


def _verified_remember(api_key: ApiKey, digest: str, generation: int) -> None:
    seconds = settings.NPS_API_KEY_CACHE_SECONDS
    if seconds <= 0:
        return
    # Loads Django's permission caches onto the user, so that checking a
    # scope's permissions costs no query while the key is kept.
    api_key.user.get_all_permissions()
    with _verified_lock:
        if generation != _verified_generation:
            return  # forgotten while it was read: the row may be stale
        if len(_verified) >= VERIFIED_KEYS_MAX:
            _verified.clear()
        _verified[digest] = _Verified(digest, api_key, time.monotonic() + seconds)


def verified_keys_forget(**_signal) -> None:
    """Forget every key kept in this process: connected to the signals of any
    change to keys, users, groups and permissions (``SurveysConfig.ready``),
    and called by ``api_key_revoke``, whose ``UPDATE`` sends none.

    Called inside the changing transaction, so it forgets twice: now, and
    once the change commits, for a row another thread read in between.
    """
    _verified_bump()
    transaction.on_commit(_verified_bump)


def _verified_bump() -> None:
    global _verified_generation
    with _verified_lock:
        _verified_generation += 1
        _verified.clear()
