"""The employee survey page, by token: one form, no name, and an answer that
keeps no link to the token it came from."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import translation
from django.views.decorators.http import require_http_methods

from . import enps
from .forms import EmployeeAnswerForm
from .models import Survey
from .views import _not_found, _private_page, _render, _supported, _throttled


def _language(survey: Survey, request) -> str:
    """The employee's browser's language when it says one (no profile says
    theirs), else the survey's."""
    asked = (
        "HTTP_ACCEPT_LANGUAGE" in request.META or settings.LANGUAGE_COOKIE_NAME in request.COOKIES
    )
    browser = _supported(translation.get_language_from_request(request)) if asked else None
    return browser or _supported(survey.default_locale) or settings.LANGUAGE_CODE


@_private_page
@_throttled
@require_http_methods(["GET", "HEAD", "POST"])
def employee_answer(request, token: str):
    invitation = enps.employee_invitation_for(token)
    if invitation is None:
        return _not_found(request)
    survey = invitation.survey
    language = _language(survey, request)
    if invitation.answered:
        return _render(
            request, "surveys/employee_thanks.html", {"already": True}, language=language
        )
    if not survey.is_accepting_responses:
        return _render(request, "surveys/closed.html", language=language)
    form = EmployeeAnswerForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            answered = enps.employee_answer_record(token=token, **form.cleaned_data)
        except enps.EmployeeAnswerRefused:
            return _render(
                request, "surveys/employee_thanks.html", {"already": True}, language=language
            )
        except ValidationError as error:
            form.add_error("contact", ValidationError(error.messages))
        else:
            return _render(
                request,
                "surveys/employee_thanks.html",
                {"case_opened": answered.case_opened},
                language=language,
            )
    question, follow_up = survey.text_for(language)
    context = {
        "form": form,
        "token": token,
        "question": question,
        "follow_up_question": follow_up,
        "scores": range(11),
        "selected": form["score"].value(),
        "min_group": settings.NPS_ENPS_MIN_GROUP,
    }
    return _render(request, "surveys/employee_answer.html", context, language=language)
