"""REST API keys from the command line: create, list, rotate, revoke.

    manage.py api_token create shop --scope ingest --create-user
    KEY=$(manage.py api_token create reporting --scope reports:read)
    manage.py api_token list
    manage.py api_token rotate nps_AbC123xy --grace-hours 24
    manage.py api_token revoke nps_AbC123xy

A new key alone goes to stdout, so a script can capture it; it is shown this
once (only its digest is stored). What was done goes to stderr. A key acts as
a user (its API client), and can do no more than that user may:
``--create-user`` makes a passwordless one with exactly the permissions the
key's scopes need.
"""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from surveys.api_keys import api_key_create, api_key_revoke, api_key_rotate
from surveys.models import SCOPE_PERMISSIONS, ApiKey, ApiScope

VIA = "cli"


def _grant_scope_permissions(user, scopes) -> list[str]:
    needed = sorted({perm for scope in scopes for perm in SCOPE_PERMISSIONS[scope]})
    for perm in needed:
        app_label, codename = perm.split(".")
        user.user_permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )
    return needed


class Command(BaseCommand):
    help = "Create, list, rotate or revoke REST API keys."

    def add_arguments(self, parser):
        commands = parser.add_subparsers(dest="action", required=True)
        create = commands.add_parser("create", help="A new key; printed once.")
        create.add_argument("username", help="The user the key acts as (its API client).")
        create.add_argument(
            "--scope",
            action="append",
            choices=ApiScope.values,
            required=True,
            help="What the key may do; repeat for several.",
        )
        create.add_argument("--name", help="What the key is for (default: the username).")
        create.add_argument(
            "--create-user",
            action="store_true",
            help="Create the user (without a password: it can only use its keys).",
        )
        create.add_argument("--expires-in-days", type=int, help="Stop working after N days.")
        listing = commands.add_parser("list", help="Keys by prefix, never the secret.")
        listing.add_argument("--all", action="store_true", help="Include revoked and expired keys.")
        rotate = commands.add_parser("rotate", help="A new key replacing an old one.")
        rotate.add_argument("prefix")
        rotate.add_argument(
            "--grace-hours",
            type=float,
            default=0,
            help="Keep the old key working this long (default: revoke it at once).",
        )
        revoke = commands.add_parser("revoke", help="Stop a key working now.")
        revoke.add_argument("prefix")

    def handle(self, *args, action, **options):
        try:
            getattr(self, f"_{action}")(**options)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None

    def _create(self, *, username, scope, name, create_user, expires_in_days, **options):
        if expires_in_days is not None and expires_in_days < 1:
            raise CommandError("--expires-in-days must be at least 1.")
        user_model = get_user_model()
        with transaction.atomic():
            user = user_model.objects.filter(**{user_model.USERNAME_FIELD: username}).first()
            if user is None:
                if not create_user:
                    raise CommandError(
                        f"No user {username!r}. Add --create-user to create one for the API."
                    )
                user = user_model(**{user_model.USERNAME_FIELD: username})
                user.set_unusable_password()
                user.save()
                # Made for this key alone: exactly the permissions its scopes need.
                granted = _grant_scope_permissions(user, scope)
                user = user_model.objects.get(pk=user.pk)  # no cached permissions
                self.stderr.write(
                    f"Created user {username!r} (no password, keys only) with the "
                    f"permissions its scopes need: {', '.join(granted)}."
                )
            elif not user.is_active:
                raise CommandError(f"User {username!r} is inactive; its keys would not work.")
            expires_at = (
                timezone.now() + timedelta(days=expires_in_days) if expires_in_days else None
            )
            issued = api_key_create(
                user=user, name=name or username, scopes=scope, expires_at=expires_at, via=VIA
            )
        self._issued(issued)

    def _list(self, *, all, **options):
        keys = ApiKey.objects.select_related("user").order_by("name", "-created_at")
        if not all:
            keys = keys.usable(timezone.now())
        for key in keys:
            state = (
                "revoked"
                if key.revoked_at
                else f"expires {key.expires_at:%Y-%m-%d %H:%M}"
                if key.expires_at
                else "active"
            )
            used = f"{key.last_used_at:%Y-%m-%d %H:%M}" if key.last_used_at else "never"
            self.stdout.write(
                f"{key.prefix}\t{key.name}\t{key.user.get_username()}\t"
                f"{','.join(key.scopes) or '-'}\tlast used {used}\t{state}"
            )

    def _rotate(self, *, prefix, grace_hours, **options):
        if grace_hours < 0:
            raise CommandError("--grace-hours cannot be negative.")
        old = self._key(prefix)
        issued = api_key_rotate(api_key=old, via=VIA, grace=timedelta(hours=grace_hours))
        self.stderr.write(
            f"{old.prefix} stops working "
            + (f"in {grace_hours:g} hours." if grace_hours else "now.")
        )
        self._issued(issued)

    def _revoke(self, *, prefix, **options):
        key = self._key(prefix)
        if not api_key_revoke(api_key=key, via=VIA):
            raise CommandError(f"{key.prefix} was already revoked or expired.")
        self.stderr.write(f"Revoked {key.prefix} ({key.name}).")

    def _key(self, prefix: str) -> ApiKey:
        found = list(ApiKey.objects.filter(prefix__startswith=prefix)[:2]) if prefix else []
        if not found:
            raise CommandError(f"No key with the prefix {prefix!r} (see: api_token list).")
        if len(found) > 1:
            raise CommandError(f"Several keys start with {prefix!r}: give more of the prefix.")
        return found[0]

    def _issued(self, issued) -> None:
        key = issued.api_key
        self.stderr.write(
            f"New key {key.prefix}… ({key.name}, acts as {key.user.get_username()}, "
            f"scopes: {', '.join(key.scopes)}). It is shown once: store it now."
        )
        self.stdout.write(issued.secret)
