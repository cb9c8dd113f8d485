"""The API's own description: the OpenAPI schema and its two viewers, public."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from surveys.api_access import PUBLIC, HasApiScope

if TYPE_CHECKING:
    from rest_framework.permissions import _PermissionClass


class PublicDocs:
    # The schema and its two viewers are public: they describe the API, hold
    # no data, and let an integrator read them before having a key.
    permission_classes: Sequence[_PermissionClass] = [HasApiScope]
    required_scopes = {"GET": PUBLIC}


class SchemaView(PublicDocs, SpectacularAPIView):
    pass


class SwaggerView(PublicDocs, SpectacularSwaggerView):
    pass


class RedocView(PublicDocs, SpectacularRedocView):
    pass
