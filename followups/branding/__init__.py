"""The brand and the email texts in the admin: edited, previewed per
language with sample data, and sent as a test through the outbox."""
