"""What other apps do when the registry records a category or an ending: a small registry of handlers.

`children` sits below `subsidies` and must not import it, yet closing a file or ending a
category has to reach the payments in the same transaction. So the apps above register a
handler here in their `AppConfig.ready()`, and the registry's services call `fire(...)` inside
their own `@transaction.atomic` block: a handler's writes commit or roll back with the ending,
and a handler that raises refuses the ending altogether.

Events and their keyword arguments (all keyword-only):

- ``CLASSIFICATION_ADDED``: ``actor``, ``classification`` (just saved);
- ``CLASSIFICATION_ENDED``: ``actor``, ``classification`` (already saved with end date and reason);
- ``CHILD_CLOSED``: ``actor``, ``child``, ``reason`` (Child.ClosedReason), ``closed_on`` — fired
  before the child's open classifications are ended;
- ``PARENT_SITUATION_RECORDED``: ``actor``, ``child``, ``situation`` (the new ParentSituation).

Handlers run in the order they were registered; registering the same function twice is a no-op.
"""

from collections.abc import Callable

CLASSIFICATION_ADDED = "classification_added"
CLASSIFICATION_ENDED = "classification_ended"
CHILD_CLOSED = "child_closed"
PARENT_SITUATION_RECORDED = "parent_situation_recorded"
EVENTS = (CLASSIFICATION_ADDED, CLASSIFICATION_ENDED, CHILD_CLOSED, PARENT_SITUATION_RECORDED)

_handlers: dict[str, list[Callable[..., None]]] = {event: [] for event in EVENTS}


def register(event: str, handler: Callable[..., None]) -> None:
    if event not in _handlers:
        raise ValueError(f"unknown registry event {event!r}")
    if handler not in _handlers[event]:
        _handlers[event].append(handler)


def fire(event: str, **kwargs) -> None:
    """Call every handler of `event`; call it inside the service's transaction."""
    for handler in _handlers[event]:
        handler(**kwargs)
