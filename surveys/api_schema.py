"""The OpenAPI schema's account of API keys: the security scheme, and the
scope each operation needs. (Apart from api_access: DRF imports the
authentication class while drf-spectacular is still importing.)"""

from __future__ import annotations

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema

from .api_access import (
    ANY_KEY,
    PUBLIC,
    ApiKeyAuthentication,
    ApiKeyBasicAuthentication,
    scope_needed,
)
from .models import ApiScope


class ScopedAutoSchema(AutoSchema):
    """Each operation's description ends with the scope it needs."""

    def get_description(self):
        description = super().get_description()
        scope = scope_needed(self.view, self.method)
        if scope is None or scope == PUBLIC:
            return description
        if scope == ANY_KEY:
            needs = "Needs any valid API key."
        else:
            needs = f"Needs an API key with the `{scope}` scope."
        return f"{description}\n\n{needs}" if description else needs


class ApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = ApiKeyAuthentication
    name = "apiKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": (
                "`Token <key>` (or `Bearer <key>`), a key from `manage.py api_token create` "
                "or the admin. Its scopes say what it may do: "
                + "; ".join(f"`{scope.value}`: {scope.label}" for scope in ApiScope)
                + ". Each operation names the one it needs."
            ),
        }


class ApiKeyBasicScheme(OpenApiAuthenticationExtension):
    target_class = ApiKeyBasicAuthentication
    name = "apiKeyBasic"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "basic",
            "description": (
                "HTTP Basic with an API key as the password (any user name), for senders "
                "that take only a URL with credentials: accepted where an operation lists it."
            ),
        }
