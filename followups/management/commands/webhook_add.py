"""manage.py webhook_add URL --events a,b [--personal-data] [--description D]"""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from followups.webhooks.endpoints import webhook_endpoint_create
from followups.webhooks.events import EVENT_TYPES


class Command(BaseCommand):
    help = (
        "Add a webhook endpoint and print its signing secret, shown only this once. "
        "Events: " + ", ".join(EVENT_TYPES) + "."
    )

    def add_arguments(self, parser):
        parser.add_argument("url", help="Where to POST the events (http:// or https://).")
        parser.add_argument(
            "--events", required=True, help="The events it receives, comma-separated."
        )
        parser.add_argument(
            "--personal-data",
            action="store_true",
            help="Also send customers' email addresses, names and comments.",
        )
        parser.add_argument("--description", default="", help="What the receiver is.")

    def handle(self, *args, url, events, personal_data, description, **options):
        try:
            endpoint = webhook_endpoint_create(
                url=url,
                events=events.split(","),
                personal_data=personal_data,
                description=description,
            )
        except ValidationError as exc:
            raise CommandError(
                " ".join(f"{field}: {' '.join(msgs)}" for field, msgs in exc.message_dict.items())
            ) from exc
        self.stdout.write(f"Webhook endpoint {endpoint.pk} added: {endpoint.url}")
        self.stdout.write(f"Events: {', '.join(endpoint.events)}")
        self.stdout.write(f"Personal data: {'yes' if endpoint.personal_data else 'no'}")
        self.stdout.write(f"Signing secret (shown only now; keep it): {endpoint.secret}")
