"""Give an integration its REST API token and scope.

    manage.py api_token shop --scope ingest --create-user
    TOKEN=$(manage.py api_token reporting --scope read)

The key alone goes to stdout, so a script can capture it; what was done goes
to stderr. A scope is a group ("API ingest" / "API read") holding the Django
permissions the API checks; the groups are created here when missing.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from rest_framework.authtoken.models import Token

from surveys.api import API_SCOPES

SCOPE_CHOICES = {"ingest": ("ingest",), "read": ("read",), "both": ("ingest", "read")}


def scope_group(name: str) -> Group:
    """The scope's group with exactly the scope's permissions."""
    scope = API_SCOPES[name]
    group, _ = Group.objects.get_or_create(name=scope.group)
    wanted = []
    for dotted in scope.permissions:
        app_label, codename = dotted.split(".", 1)
        try:
            wanted.append(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )
        except Permission.DoesNotExist:
            raise CommandError(f"Permission {dotted} is missing: run migrate first.") from None
    group.permissions.set(wanted)
    return group


class Command(BaseCommand):
    help = "Create (or show) a user's REST API token and grant it a scope."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument(
            "--scope",
            choices=sorted(SCOPE_CHOICES),
            default="read",
            help="ingest: record answers and customers; read: read them and NPS; both. "
            "Scopes add up: granting one never takes another away. Default: read.",
        )
        parser.add_argument(
            "--create-user",
            action="store_true",
            help="Create the user (without a password: it can only use its token).",
        )
        parser.add_argument(
            "--rotate",
            action="store_true",
            help="Replace the existing token with a new one (the old key stops working).",
        )

    def handle(self, *args, username, scope, create_user, rotate, **options):
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
                self.stderr.write(f"Created user {username!r} (no password, token only).")
            elif not user.is_active:
                raise CommandError(f"User {username!r} is inactive; its token would not work.")

            for name in SCOPE_CHOICES[scope]:
                user.groups.add(scope_group(name))
                self.stderr.write(f"Granted the {name!r} scope (group {API_SCOPES[name].group!r}).")

            if rotate:
                Token.objects.filter(user=user).delete()
            token, created = Token.objects.get_or_create(user=user)
        self.stderr.write("New token:" if created else "Existing token:")
        self.stdout.write(token.key)
