"""The answers and who gave them, as rows with the rules about one row, a file per part:

- ``languages``: ``Locale``, the translated languages and reading a text in one
- ``customers``: ``Customer`` and why one may not be emailed or texted
  (``MAIL_BLOCKS``, ``SMS_BLOCKS``), ``SavedFilter``, ``CustomerList`` and its members
- ``surveys``: ``Department``, ``Survey``, ``DriverChoice``
- ``invitations``: ``Channel``, ``Wave``, ``WaveChunk``, ``Invitation`` and its status
- ``responses``: ``Response`` and the queries that count answers
- ``audit``: ``AuditEvent``, the append-only trail
- ``imports``: ``CustomerImport``, ``AnswerImport`` (background CSV imports)
- ``api_keys``: ``ApiScope``, ``SCOPE_PERMISSIONS``, ``ApiKey``
- ``branding``: ``Brand``, ``EmailText``
- ``enps``: ``EmployeeInvitation``, ``EmployeeAnswer`` (anonymous employee answers)

Each file imports only the ones it needs, above it in this list. Every name is
imported from here (``from surveys.models import Survey``); migrations name
``surveys.models.new_unsubscribe_key``, which stays importable here.
"""

# Django registers the models in the order their files are imported: the order
# they were declared in when this was one file (content types, deletion order).
# isort: off
from .languages import (
    TRANSLATED_LOCALES,
    Locale,
    missing_locales,
    translated_field_name,
    translated_text,
)
from .customers import (
    MAIL_BLOCKS,
    NO_PHONE,
    SMS_BLOCKS,
    WITHOUT_PHONE,
    Customer,
    CustomerList,
    CustomerListMember,
    CustomerQuerySet,
    SavedFilter,
    new_unsubscribe_key,
)
from .surveys import (
    Department,
    DriverChoice,
    DriverChoiceQuerySet,
    EmployeeSurveyRefused,
    Survey,
)
from .invitations import (
    WAVE_CHANNELS,
    Channel,
    Invitation,
    InvitationQuerySet,
    InvitationStatus,
    Wave,
    WaveChunk,
    hash_token,
)
from .responses import Response, ResponseQuerySet
from .audit import AuditEvent, AuditEventQuerySet
from .imports import AnswerImport, CustomerImport, ImportJob
from .api_keys import SCOPE_PERMISSIONS, ApiKey, ApiKeyQuerySet, ApiScope
from .branding import Brand, EmailText, EmailTextQuerySet
from .enps import EmployeeAnswer, EmployeeInvitation, week_of
# isort: on

__all__ = [
    "MAIL_BLOCKS",
    "NO_PHONE",
    "SCOPE_PERMISSIONS",
    "SMS_BLOCKS",
    "TRANSLATED_LOCALES",
    "WAVE_CHANNELS",
    "WITHOUT_PHONE",
    "AnswerImport",
    "ApiKey",
    "ApiKeyQuerySet",
    "ApiScope",
    "AuditEvent",
    "AuditEventQuerySet",
    "Brand",
    "Channel",
    "Customer",
    "CustomerImport",
    "CustomerList",
    "CustomerListMember",
    "CustomerQuerySet",
    "Department",
    "DriverChoice",
    "DriverChoiceQuerySet",
    "EmailText",
    "EmailTextQuerySet",
    "EmployeeAnswer",
    "EmployeeInvitation",
    "EmployeeSurveyRefused",
    "ImportJob",
    "Invitation",
    "InvitationQuerySet",
    "InvitationStatus",
    "Locale",
    "Response",
    "ResponseQuerySet",
    "SavedFilter",
    "Survey",
    "Wave",
    "WaveChunk",
    "hash_token",
    "missing_locales",
    "new_unsubscribe_key",
    "translated_field_name",
    "translated_text",
    "week_of",
]
