"""Signals other apps handle so that accounts never needs to know their models.

``guest_claimed``
    Sent by :func:`accounts.carryover.claim_guest` after the game rows of a guest moved to
    an account, inside the same transaction. Handlers move whatever else they keep under
    the guest id (the gallery: saved drawings). Arguments: ``guest_id: str``, ``user``.

``account_deleting``
    Sent by :func:`accounts.deletion.delete_account` before the user row is deleted, inside
    the same transaction (raise to abort the deletion). Arguments: ``user``,
    ``keep_drawings: bool`` -- the player's choice: ``True`` keeps their published
    drawings, detached from the account and shown anonymously; ``False`` deletes them.
    ``anonymous_name: str`` is the name to show instead of theirs ("Deleted user").
"""

from __future__ import annotations

from django.dispatch import Signal

guest_claimed = Signal()
account_deleting = Signal()
