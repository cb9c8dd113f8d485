"""Chat alerts: a survey's answers (detractors by default) posted to a Slack
incoming webhook as Block Kit, through the outbox. (Delivery is the outbox's:
``followups.outbox.transports.slack``.)"""
