"""MemberPress webhooks: an outbox filled in the same transaction as the change that caused the
event, and a deliverer that posts it to every subscribed URL, retrying until it gets through."""
