"""Input and output shapes of the cases API."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ObjectDoesNotExist
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from followups.cases.timeline import event_line
from followups.models import CaseEvent, FollowUpCase, RootCause


class CaseEventSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor.get_username", default=None, read_only=True)
    message = serializers.SerializerMethodField(
        help_text=(
            "The event as the case page shows it, in the request's language "
            "(Accept-Language; English when none is asked for) and the site's time zone. "
            "`kind` and `data` say the same in a form that does not change with "
            "the language."
        )
    )

    class Meta:
        model = CaseEvent
        fields = ["id", "kind", "actor", "created_at", "message", "data"]

    def get_message(self, event: CaseEvent) -> str:
        return event_line(event)


class SuggestionSerializer(serializers.Serializer):
    name = serializers.CharField(help_text="The suggested root cause.")
    confidence = serializers.FloatField(help_text="The model's probability for it, 0 to 1.")
    model_version = serializers.IntegerField(help_text="The model version that suggested it.")


class CaseTheme(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(allow_blank=True, help_text="Given by a manager, or empty.")
    words = serializers.ListField(child=serializers.CharField())


class CaseSerializer(serializers.ModelSerializer):
    score = serializers.IntegerField(source="response.score", read_only=True)
    comment = serializers.CharField(source="response.comment", read_only=True)
    segment = serializers.CharField(source="response.segment", read_only=True)
    survey: serializers.SlugRelatedField = serializers.SlugRelatedField(
        slug_field="slug", read_only=True
    )
    customer_email = serializers.EmailField(source="customer.email", read_only=True)
    owner: serializers.PrimaryKeyRelatedField = serializers.PrimaryKeyRelatedField(read_only=True)
    root_cause: serializers.SlugRelatedField = serializers.SlugRelatedField(
        slug_field="name", read_only=True
    )
    suggested_root_cause = SuggestionSerializer(
        source="suggestion",
        read_only=True,
        allow_null=True,
        help_text=(
            "The root cause the model trained on resolved cases suggests, when it was "
            "confident enough; null otherwise (or with suggestions turned off)."
        ),
    )
    is_overdue = serializers.SerializerMethodField()
    allowed_transitions = serializers.SerializerMethodField()
    theme = serializers.SerializerMethodField(
        help_text="The comment theme of the case's answer (the latest period computed), or null."
    )

    class Meta:
        model = FollowUpCase
        fields = [
            "id",
            "status",
            "priority",
            "score",
            "comment",
            "segment",
            "survey",
            "customer",
            "customer_email",
            "owner",
            "created_at",
            "due_at",
            "resolution_due_at",
            "is_overdue",
            "first_contact_at",
            "resolved_at",
            "closed_at",
            "root_cause",
            "suggested_root_cause",
            "resolution_summary",
            "escalation_level",
            "allowed_transitions",
            "theme",
        ]
        read_only_fields = fields

    @extend_schema_field(CaseTheme(allow_null=True))
    def get_theme(self, case) -> dict | None:
        if not settings.NPS_THEMES_ENABLED:
            return None
        try:
            theme = case.response.theme_assignment.theme
        except ObjectDoesNotExist:
            return None
        return {"id": theme.pk, "name": theme.name, "words": theme.words}

    def get_is_overdue(self, case) -> bool:
        return case.is_overdue()

    def get_allowed_transitions(self, case) -> list[str]:
        return list(case.allowed_transitions())


class CaseDetailSerializer(CaseSerializer):
    events = CaseEventSerializer(many=True, read_only=True)

    class Meta(CaseSerializer.Meta):
        fields = [*CaseSerializer.Meta.fields, "events"]
        read_only_fields = fields


class AssignInput(serializers.Serializer):
    owner = serializers.PrimaryKeyRelatedField(
        queryset=get_user_model().objects.filter(is_active=True), allow_null=True
    )
    expected_owner = serializers.IntegerField(
        required=False,
        allow_null=True,
        help_text="The owner you saw (null: unassigned). If it changed meanwhile: 409.",
    )


class TransitionInput(serializers.Serializer):
    status = serializers.ChoiceField(choices=FollowUpCase.Status.choices)
    expected_status = serializers.ChoiceField(
        choices=FollowUpCase.Status.choices,
        required=False,
        help_text="The status you saw. If it changed meanwhile: 409.",
    )
    root_cause = serializers.PrimaryKeyRelatedField(
        queryset=RootCause.objects.all(), required=False, allow_null=True
    )
    resolution_summary = serializers.CharField(required=False, allow_blank=True, default="")
    resurvey = serializers.BooleanField(required=False, default=False)


class NoteInput(serializers.Serializer):
    text = serializers.CharField(max_length=10_000)


class EmailInput(serializers.Serializer):
    subject = serializers.CharField(max_length=200)
    body = serializers.CharField(max_length=20_000)
    draft_id = serializers.CharField(
        max_length=64, help_text="Your id for this message: the same id again sends nothing more."
    )


class EmailQueued(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.CharField()
    to_email = serializers.EmailField()
