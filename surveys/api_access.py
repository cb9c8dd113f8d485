"""Who may call the REST API, and what for: API keys and their scopes.

Every API view says which scope each HTTP method needs, in
``required_scopes = {"GET": ApiScope.REPORTS_READ, ...}`` (``PUBLIC``: anyone;
``ANY_KEY``: any valid key). ``HasApiScope`` checks it, and refuses a method
that a view does not declare: a new view is closed until it says who may use
it (tests/test_scope_matrix.py proves this for every route).

A key's scopes work only while the user it acts as holds the permissions
``models.SCOPE_PERMISSIONS`` gives for them. A staff member signed in to the
admin (session) may use the read scopes their Django permissions allow;
writing through the API always takes a key.

A view may also declare Django permissions the acting user (the signed-in
staff member, or the user a key acts as) must hold for a method, in
``required_permissions = {"GET": ("surveys.export_response",)}``: the exports
take the admin's export permission whichever way they are reached.
"""

from __future__ import annotations

import base64

from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions, permissions

from .api_keys import api_key_find
from .audit import bind_request_actor
from .models import SCOPE_PERMISSIONS, ApiKey, ApiScope

PUBLIC = "public"
ANY_KEY = "any key"

# The read scopes a signed-in staff member may use through the session, with
# the permissions a key's user needs for them.
SESSION_SCOPES: dict[str, tuple[str, ...]] = {
    scope: SCOPE_PERMISSIONS[scope]
    for scope in (
        ApiScope.REPORTS_READ,
        ApiScope.CUSTOMERS_READ,
        ApiScope.CASES_READ,
        ApiScope.INVITATIONS_READ,
        ApiScope.GRANTS_READ,
    )
}


class ApiKeyAuthentication(authentication.BaseAuthentication):
    """``Authorization: Token <key>`` (the public contract) or ``Bearer <key>``."""

    keywords = ("token", "bearer")

    def authenticate(self, request):
        parts = authentication.get_authorization_header(request).split()
        if not parts or parts[0].decode(errors="replace").lower() not in self.keywords:
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(_("Send one key: Authorization: Token <key>."))
        try:
            secret = parts[1].decode()
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(_("Invalid key.")) from None
        api_key = api_key_find(secret=secret)
        if api_key is None:
            raise exceptions.AuthenticationFailed(_("Invalid, expired or revoked key."))
        bind_request_actor(api_key.label)
        return api_key.user, api_key

    def authenticate_header(self, request):
        return "Token"


class ApiKeyBasicAuthentication(authentication.BaseAuthentication):
    """HTTP Basic with the key as the password (any user name): for senders
    that can be given a URL with credentials but no header of their own, such
    as a mail provider's notification settings. Only views that list it accept it."""

    def authenticate(self, request):
        parts = authentication.get_authorization_header(request).split()
        if not parts or parts[0].lower() != b"basic":
            return None
        try:
            decoded = base64.b64decode(parts[1], validate=True).decode() if len(parts) == 2 else ""
        except (ValueError, UnicodeDecodeError):
            decoded = ""
        _name, colon, secret = decoded.partition(":")
        if not colon or not secret:
            raise exceptions.AuthenticationFailed(
                _("Basic credentials must be base64 of <any name>:<key>.")
            )
        api_key = api_key_find(secret=secret)
        if api_key is None:
            raise exceptions.AuthenticationFailed(_("Invalid, expired or revoked key."))
        bind_request_actor(api_key.label)
        return api_key.user, api_key

    def authenticate_header(self, request):
        return 'Basic realm="api"'


def scope_needed(view, method: str):
    """The scope ``view`` declares for ``method`` (HEAD needs GET's; OPTIONS,
    which describes the endpoint as the public schema does, any key); None
    when it declares none."""
    declared = getattr(view, "required_scopes", {})
    if method == "OPTIONS" and declared:
        return declared.get("OPTIONS", ANY_KEY)
    return declared.get("GET" if method == "HEAD" else method)


def permissions_needed(view, method: str) -> tuple[str, ...]:
    """The Django permissions ``view`` declares for ``method`` (HEAD: GET's)."""
    declared = getattr(view, "required_permissions", None) or {}
    return tuple(declared.get("GET" if method == "HEAD" else method, ()))


def caller_has_scope(request, scope: str) -> bool:
    """Whether the caller (a key, or a signed-in staff member) holds ``scope``."""
    if scope == PUBLIC:
        return True
    user = request.user
    if not (user and user.is_authenticated):
        return False
    if scope == ANY_KEY:
        return True
    if isinstance(request.auth, ApiKey):
        # A key can do no more than its user now may: a user who loses a
        # permission loses the scopes that need it, whatever the key says.
        return request.auth.has_scope(scope) and user.has_perms(SCOPE_PERMISSIONS[scope])
    needed = SESSION_SCOPES.get(scope)
    return needed is not None and user.has_perms(needed)


class HasApiScope(permissions.BasePermission):
    def has_permission(self, request, view) -> bool:
        scope = scope_needed(view, request.method)
        if scope is None:
            if request.method.lower() not in view.http_method_names or not hasattr(
                view, request.method.lower()
            ):
                return request.user and request.user.is_authenticated  # a 405 follows
            self.message = _("This endpoint declares no scope for %(method)s: refused.") % {
                "method": request.method
            }
            return False
        if not caller_has_scope(request, scope):
            if request.user and request.user.is_authenticated:
                self.message = _("This needs the '%(scope)s' API scope.") % {"scope": scope}
            return False
        missing = [
            perm
            for perm in permissions_needed(view, request.method)
            if not request.user.has_perm(perm)
        ]
        if missing:
            self.message = _("This needs the permission %(permissions)s.") % {
                "permissions": ", ".join(missing)
            }
            return False
        return True
