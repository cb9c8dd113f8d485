"""manage.py send_survey <slug> [--segment S] [--limit N] [--channel email|sms] [--dry-run]"""

from django.core.management.base import BaseCommand, CommandError

from followups.invitations.wave_sms import SmsWaveCost, sms_wave_cost
from followups.invitations.waves import wave_plan, wave_send
from surveys.audit import Action, audit_record
from surveys.models import WAVE_CHANNELS, Channel, EmployeeSurveyRefused, Survey

VIA = "command"


class Command(BaseCommand):
    help = (
        "Invite customers to a survey by email or SMS, respecting the survey's throttle days; "
        "unsubscribed and erased customers are never invited, nor, by SMS, those without a "
        "phone."
    )

    def add_arguments(self, parser):
        parser.add_argument("slug", help="The survey to send.")
        parser.add_argument("--segment", help="Only customers of this segment.")
        parser.add_argument("--limit", type=int, help="At most this many invitations.")
        parser.add_argument(
            "--channel",
            choices=[channel.value for channel in WAVE_CHANNELS],
            default=Channel.EMAIL.value,
            help="email (the default), or sms: a text to each customer's phone.",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Say who would be invited and who skipped."
        )

    def handle(self, *args, slug, segment, limit, channel, dry_run, **options):
        survey = Survey.objects.filter(slug=slug).first()
        if survey is None:
            known = ", ".join(Survey.objects.values_list("slug", flat=True)) or "none"
            raise CommandError(f"No survey '{slug}'. Known surveys: {known}.")
        if limit is not None and limit < 1:
            raise CommandError("--limit must be a positive number.")
        if survey.status != Survey.Status.ACTIVE and not dry_run:
            raise CommandError(
                f"The survey '{slug}' is {survey.status}; activate it before sending."
            )
        try:
            plan = wave_plan(survey=survey, segment=segment, limit=limit, channel=channel)
        except EmployeeSurveyRefused as refused:
            raise CommandError(refused.messages[0]) from None
        self.stdout.write(f"{survey.name}: {plan.summary}.")
        if channel == Channel.SMS:
            self._cost_write(sms_wave_cost(plan))
        if dry_run:
            self.stdout.write("Dry run: nothing was sent.")
            return
        total = len(plan.to_send)
        done = 0

        def progress(count: int) -> None:
            nonlocal done
            done += count
            width = 30
            filled = width * done // max(total, 1)
            self.stdout.write(
                f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total}", ending=""
            )
            self.stdout.flush()

        sent = wave_send(plan, progress=progress)
        self.stdout.write("")
        audit_record(
            action=Action.SURVEY_SENT,
            via=VIA,
            objects=[survey],
            count=sent,
            details={"survey": survey.slug, "channel": channel, "segment": segment or ""},
        )
        what = "texts" if channel == Channel.SMS else "invitations"
        self.stdout.write(self.style.SUCCESS(f"{sent} {what} queued for sending."))

    def _cost_write(self, cost: SmsWaveCost) -> None:
        """The segments the texts will cost, per language, then in all."""
        for row in cost.languages:
            self.stdout.write(
                f"  {row.language}: {row.customers} text(s), {row.encoding}, "
                f"{row.segments_each} segment(s) each, {row.segments} segment(s)"
            )
        self.stdout.write(
            f"Estimated: {cost.segments} SMS segment(s) for {cost.customers} text(s) "
            "(reminders not counted)."
        )
