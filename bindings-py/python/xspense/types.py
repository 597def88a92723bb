"""Typed shapes of the records xspense exchanges as dicts, and the task-store protocol.

Records that are plain data cross the boundary as dicts in exactly the shape the Rust core
serializes them (so they can go straight to JSON, a database or a message queue). The
``TypedDict`` classes here describe those shapes for type checkers; they add nothing at run time.
"""

from __future__ import annotations

import datetime
import decimal
import sys
from typing import Any, Dict, List, Optional, Union

if sys.version_info >= (3, 11):
    from typing import Literal, NotRequired, Protocol, TypedDict
else:  # pragma: no cover - older Pythons
    from typing_extensions import Literal, NotRequired, Protocol, TypedDict

#: Any value that JSON can carry.
JsonValue = Union[None, bool, int, float, str, List[Any], Dict[str, Any]]

Band = Literal["low", "medium", "high", "very_high"]
Source = Literal["rule", "alias", "similarity", "classifier", "knowledge", "mcc", "llm", "default"]
Direction = Literal["debit", "credit"]
TaskStatus = Literal["pending", "claimed", "completed", "dead", "cancelled"]
Operator = Literal["placeholder", "mask", "hash", "remove", "token"]
AuditAction = Literal["decision", "correction", "rule_change", "task_transition", "other"]


class TransactionDict(TypedDict, total=False):
    """A transaction as a dict (what ``categorize`` and ``feedback`` accept besides
    :class:`xspense.Transaction`). ``descriptor``, ``amount`` (or ``amount_minor``) and ``date``
    are needed; ``tenant`` defaults to ``"default"``; ``id`` to the position in a batch. A
    negative amount means a debit."""

    id: str
    tenant: str
    descriptor: str
    amount: Union[str, int, float, decimal.Decimal]
    amount_minor: int
    currency: str
    direction: Direction
    date: Union[str, datetime.date]
    merchant: str
    account: str
    mcc: int


class AllowedCategory(TypedDict):
    """A category the model may answer with."""

    id: str
    name: str


class LlmExample(TypedDict):
    """A few-shot example from the tenant's memory."""

    merchant: str
    category: str


class Category(TypedDict):
    """One category of a tenant's taxonomy."""

    id: str
    name: str
    parent: NotRequired[str]
    builtin: bool


class Normalized(TypedDict):
    """What the normalizer makes of a descriptor."""

    key: str
    display: str
    brand: bool
    detail: str


class Stats(TypedDict):
    """A tenant's counters."""

    total: int
    by_source: Dict[str, int]
    by_band: Dict[str, int]
    llm_requests: int
    llm_share: float
    mean_confidence: float
    feedback: int


class EngineConfig(TypedDict, total=False):
    """Stage switches and thresholds (every key optional; unknown keys are refused)."""

    rule_confidence: float
    alias_min_confidence: float
    alias_decay: float
    llm_fallback: bool
    llm_examples: int
    similarity: bool
    similarity_k: int
    similarity_min_similarity: float
    similarity_min_confidence: float
    classifier_min_examples: int
    knowledge: bool
    knowledge_confidence: float
    mcc: bool
    mcc_confidence: float


class RuleAction(TypedDict, total=False):
    """What a rule does: set a category, rename the merchant, add tags."""

    category: str
    rename: str
    tags: List[str]


class Rule(TypedDict):
    """A rule in its JSON form. ``when`` is a condition tree: ``{"field", "op", "value"}``
    leaves under ``{"all": [...]}`` / ``{"any": [...]}`` / ``{"not": ...}``."""

    id: str
    priority: int
    when: Dict[str, Any]
    then: RuleAction


class LabelledDict(TypedDict):
    """One confirmed history row for ``Engine.suggest_rules``."""

    transaction: Any
    category: str


class ConflictingRow(TypedDict):
    """A history row a suggestion matches that was confirmed as another category."""

    transaction_id: str
    descriptor: str
    category: str


class RuleSuggestion(TypedDict):
    """A proposed rule and its backtest over the history it was mined from."""

    rule: Rule
    text: str
    category: str
    support: int
    matched: int
    precision: float
    coverage: float
    new_rows: int
    merchants: int
    conflicts: int
    conflict_examples: List[ConflictingRow]
    conflicting_rules: List[str]


#: A change event (``type`` is ``category_added``, ``rule_added``, ``rule_removed``,
#: ``alias_learned`` or ``alias_forgotten``); persist it and replay it with ``apply_changes``.
Change = Dict[str, Any]

Task = TypedDict(
    "Task",
    {
        "id": str,
        "tenant": str,
        "queue": str,
        "from": str,
        "intent": str,
        "payload": Any,
        "correlation_id": str,
        "idempotency_key": Optional[str],
        "priority": int,
        "run_at": int,
        "attempts": int,
        "max_attempts": int,
        "status": TaskStatus,
        "lease_owner": Optional[str],
        "lease_expires_at": Optional[int],
        "result": Any,
        "error": Optional[str],
        "created_at": int,
        "updated_at": int,
        "finished_at": Optional[int],
    },
)
Task.__doc__ = "A task as the store keeps it (times in ms since the epoch)."

NewTask = TypedDict(
    "NewTask",
    {
        "tenant": str,
        "queue": str,
        "from": str,
        "intent": str,
        "payload": Any,
        "correlation_id": Optional[str],
        "idempotency_key": Optional[str],
        "priority": int,
        "run_at": Optional[int],
        "max_attempts": int,
    },
)
NewTask.__doc__ = "A task to add (what a store's ``enqueue`` receives)."


class Enqueued(TypedDict):
    """The task, and whether this call created it (``False``: the idempotency key matched)."""

    task: Task
    created: bool


class QueueCounts(TypedDict):
    """Counts of one queue."""

    by_status: Dict[str, int]
    due: int
    oldest_due_age_ms: Optional[int]


class QueueStats(TypedDict):
    """Statistics across queues."""

    queues: Dict[str, QueueCounts]
    completed_total: int
    failed_total: int
    error_rate: float
    dead_letters: int


class Claims(TypedDict):
    """The claims of a verified envelope token (times in seconds since the epoch)."""

    iss: str
    aud: str
    exp: int
    nbf: int
    iat: int
    jti: str
    msg: Dict[str, Any]


class AuditEntry(TypedDict):
    """One entry of the hash-chained audit log."""

    seq: int
    at: int
    tenant: str
    actor: str
    action: AuditAction
    subject: str
    old: Any
    new: Any
    prev_hash: str
    hash: str


class JsonFinding(TypedDict):
    """A finding inside a JSON document; ``start``/``end`` index the string at ``path``."""

    path: str
    kind: str
    start: int
    end: int
    confidence: float
    detector: str


class RetryPolicyLike(Protocol):
    """What a task store's ``fail`` receives to compute the next delay."""

    @property
    def max_ms(self) -> int: ...

    def delay_ms(self, task_id: str, attempt: int) -> int: ...


class TaskStoreProtocol(Protocol):
    """A task store written by the host (SQLite, PostgreSQL, Redis ...) for ``TaskQueue``.

    Each method must be atomic. Tasks cross as :class:`Task` dicts; times are ms since the
    epoch. Raise :class:`xspense.NotFoundError`, :class:`xspense.LeaseLostError` or
    :class:`xspense.InvalidTransitionError` as the in-memory store does; any other exception
    reaches the caller as :class:`xspense.InternalError`. ``examples/sqlite_store.py`` is a
    complete implementation.
    """

    def enqueue(self, task: NewTask, now: int) -> Enqueued:
        """Add ``task`` (id, ``correlation_id`` defaulting to the id, ``run_at`` defaulting to
        ``now``, status ``pending``), or return the task with the same tenant and
        ``idempotency_key`` and ``created: False``."""
        ...

    def claim(self, queue: str, worker: str, lease_ms: int, now: int) -> Optional[Task]:
        """Take the next due task of ``queue``: pending with ``run_at <= now``, or claimed with
        an expired lease (that counts as a failed attempt; with no attempts left it is dead).
        Highest priority first, then earliest ``run_at``. Set status ``claimed``, owner
        ``worker``, expiry ``now + lease_ms``, ``attempts + 1``."""
        ...

    def heartbeat(self, tenant: str, id: str, worker: str, lease_ms: int, now: int) -> int:
        """Extend the lease ``worker`` holds to ``now + lease_ms`` and return it; raise
        ``LeaseLostError`` if the task is not claimed by ``worker`` or the lease expired."""
        ...

    def complete(self, tenant: str, id: str, worker: str, result: Any, now: int) -> None:
        """Mark a claimed task ``completed`` with ``result``; raise ``LeaseLostError`` as for
        ``heartbeat``."""
        ...

    def fail(
        self, tenant: str, id: str, worker: str, error: str, retry: RetryPolicyLike, now: int
    ) -> TaskStatus:
        """Record a failed attempt: ``pending`` again at ``now + retry.delay_ms(id, attempts)``,
        or ``dead`` when ``attempts >= max_attempts``. Return the new status."""
        ...

    def cancel(self, tenant: str, id: str, now: int) -> None:
        """Cancel a pending or claimed task; raise ``InvalidTransitionError`` for a final one."""
        ...

    def get(self, tenant: str, id: str) -> Task:
        """One task of ``tenant``; raise ``NotFoundError`` for another tenant's id."""
        ...

    def stats(self, now: int) -> QueueStats:
        """Counts per queue and status, error rate and dead letters."""
        ...

    def purge(self, retention_ms: int, now: int) -> int:
        """Delete final tasks finished before ``now - retention_ms``; return how many."""
        ...


__all__ = [
    "AllowedCategory",
    "AuditAction",
    "AuditEntry",
    "Band",
    "Category",
    "Change",
    "Claims",
    "Direction",
    "Enqueued",
    "EngineConfig",
    "JsonFinding",
    "JsonValue",
    "LlmExample",
    "NewTask",
    "Normalized",
    "Operator",
    "QueueCounts",
    "QueueStats",
    "RetryPolicyLike",
    "Rule",
    "RuleAction",
    "Source",
    "Stats",
    "Task",
    "TaskStatus",
    "TaskStoreProtocol",
    "TransactionDict",
]
