"""manage.py webhook_list: every webhook endpoint, its events and state (never its secret)."""

from django.core.management.base import BaseCommand
from django.db.models import Count, Q

from followups.models import OutboundMessage, WebhookEndpoint


class Command(BaseCommand):
    help = "List the webhook endpoints: URL, events, state, and their deliveries by status."

    def handle(self, *args, **options):
        endpoints = WebhookEndpoint.objects.order_by("pk").annotate(
            queued=Count(
                "deliveries",
                filter=Q(
                    deliveries__status__in=[
                        OutboundMessage.Status.QUEUED,
                        OutboundMessage.Status.SENDING,
                    ]
                ),
            ),
            sent=Count("deliveries", filter=Q(deliveries__status=OutboundMessage.Status.SENT)),
            failed=Count("deliveries", filter=Q(deliveries__status=OutboundMessage.Status.FAILED)),
        )
        if not endpoints:
            self.stdout.write("No webhook endpoints. Add one with manage.py webhook_add.")
            return
        for endpoint in endpoints:
            if endpoint.is_active:
                state = "active"
                if endpoint.failing_since:
                    state += f", failing since {endpoint.failing_since:%Y-%m-%d %H:%M} UTC"
            else:
                state = f"disabled {endpoint.disabled_at:%Y-%m-%d %H:%M} UTC: "
                state += endpoint.disabled_reason
            personal = ", personal data" if endpoint.personal_data else ""
            self.stdout.write(f"{endpoint.pk}  {endpoint.url}  [{state}{personal}]")
            self.stdout.write(f"    events: {', '.join(endpoint.events)}")
            self.stdout.write(
                f"    deliveries: {endpoint.sent} sent, {endpoint.queued} pending, "
                f"{endpoint.failed} failed"
            )
