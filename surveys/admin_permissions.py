"""How admin actions and the admin's own extra pages declare their permissions.

An action names what it needs in ``allowed_permissions`` (Django's own way);
each name ``x`` is checked by the ModelAdmin's ``has_x_permission``, which asks
for ``<app>.x_<model>``. Extra pages carry the same declaration on their view,
so tests/test_admin_permissions.py can read it back from the URL resolver.
"""

from __future__ import annotations

from functools import wraps

from django.contrib.auth import get_permission_codename
from django.core.exceptions import PermissionDenied


def has_model_permission(request, opts, name: str) -> bool:
    """``<app>.<name>_<model>``: the permission an action or page declares."""
    return request.user.has_perm(f"{opts.app_label}.{get_permission_codename(name, opts)}")


def declared_view(model_admin, view, *permissions: str):
    """An extra page of ``model_admin``, refused (403) to anyone who holds none
    of ``permissions`` (names as in ``allowed_permissions``)."""

    @wraps(view)
    def checked(request, *args, **kwargs):
        if not any(getattr(model_admin, f"has_{name}_permission")(request) for name in permissions):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    checked.allowed_permissions = permissions  # type: ignore[attr-defined]  # read by the tests
    return model_admin.admin_site.admin_view(checked)


def requires_permissions(*permissions: str):
    """For a site-wide admin page: refused (403) to anyone who holds none of
    ``permissions`` (full names, ``app.codename``)."""

    def decorate(view):
        @wraps(view)
        def checked(request, *args, **kwargs):
            if not any(request.user.has_perm(name) for name in permissions):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        checked.allowed_permissions = permissions
        return checked

    return decorate
