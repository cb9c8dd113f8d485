"""Forms of the case page. They only collect input; the workflow decides."""

from __future__ import annotations

import uuid

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from followups import roles
from followups.models import CaseEvent, FollowUpCase, RootCause
from surveys.departments import users_seeing


def assignable_users(case: FollowUpCase | None = None):
    """Active staff who work cases: service staff and managers (of ``case``'s
    department, when given)."""
    users = (
        get_user_model()
        .objects.filter(is_active=True, is_staff=True)
        .filter(groups__name__in=[roles.SERVICE_STAFF, roles.MANAGERS])
        .distinct()
        .order_by("first_name", "username")
    )
    if case is None:
        return users
    return users_seeing(case.survey.department_id, users).order_by("first_name", "username")


class StaffChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, user):
        full_name = user.get_full_name()
        return f"{full_name} ({user.get_username()})" if full_name else user.get_username()


class TransitionForm(forms.Form):
    to_status = forms.ChoiceField(label=_("New status"))
    expected_status = forms.CharField(widget=forms.HiddenInput)
    root_cause = forms.ModelChoiceField(
        label=_("Root cause"), queryset=RootCause.objects.filter(is_active=True), required=False
    )
    resolution_summary = forms.CharField(
        label=_("Resolution summary"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    resurvey = forms.BooleanField(
        label=_("Send the customer a short re-survey when closing"), required=False
    )

    def __init__(self, *args, case: FollowUpCase, **kwargs):
        super().__init__(*args, **kwargs)
        labels = dict(FollowUpCase.Status.choices)
        self.fields["to_status"].choices = [(s, labels[s]) for s in case.allowed_transitions()]  # type: ignore[attr-defined]  # a ChoiceField
        self.fields["expected_status"].initial = case.status
        self.fields["root_cause"].initial = case.root_cause_id


class RootCauseForm(forms.Form):
    """Set or change the root cause; "Confirm suggestion" sends the suggested one."""

    root_cause = forms.ModelChoiceField(
        label=_("Root cause"), queryset=RootCause.objects.filter(is_active=True)
    )


class AssignForm(forms.Form):
    owner = StaffChoiceField(
        label=_("Owner"), queryset=assignable_users(), required=False, empty_label=_("Nobody")
    )
    expected_owner = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, case: FollowUpCase | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        owner = self.fields["owner"]
        assert isinstance(owner, forms.ModelChoiceField)  # noqa: S101 - declared above
        owner.queryset = assignable_users(case)


class NoteForm(forms.Form):
    text = forms.CharField(
        label=_("Note"), widget=forms.Textarea(attrs={"rows": 3}), max_length=10_000
    )


class EmailForm(forms.Form):
    subject = forms.CharField(label=_("Subject"), max_length=200)
    body = forms.CharField(label=_("Message"), widget=forms.Textarea(attrs={"rows": 10}))
    draft_id = forms.CharField(widget=forms.HiddenInput, initial=lambda: uuid.uuid4().hex)


class BulkAssignForm(forms.Form):
    owner = StaffChoiceField(
        label=_("Assign to"), queryset=assignable_users(), required=False, empty_label=_("Nobody")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = assignable_users()


class CallForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=CaseEvent.CallOutcome.choices)
    note = forms.CharField(
        label=_("Call note"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=10_000,
        required=False,
    )
