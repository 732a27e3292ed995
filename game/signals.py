"""Hooks for the parts of the game that are not the rules: the gallery and the AI player.

Every signal is sent after the change is committed (never for state that was rolled back),
from the thread that ran the action, so receivers must be quick: they should record the id
and do slow work elsewhere (a task, a thread, the AI scheduler's own loop).
"""

from django.dispatch import Signal

#: A drawing started: kwargs ``room_id``, ``turn_id``. The AI scheduler starts watching.
turn_started = Signal()

#: The canvas of a running turn changed and was persisted (at each finished stroke, fill,
#: clear, undo or redo): kwargs ``room_id``, ``turn_id``, ``op_count``. The AI scheduler
#: guesses again only after this.
canvas_changed = Signal()

#: A turn that had a word ended (time up, everyone guessed, drawer left): kwargs
#: ``room_id``, ``turn_id``. The turn's ``op_log()``, word, category and guesses are final:
#: the gallery saves the drawing, the AI stops.
turn_ended = Signal()
