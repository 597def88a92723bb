"""Typed shapes of the records xspense exchanges as dicts, and the task-store protocol.

Records that are plain data cross the boundary as dicts in exactly the shape the Rust core
serializes them (so they can go straight to JSON, a database or a message queue). Their
``TypedDict`` classes are generated from the core's types into :mod:`xspense.records` and
re-exported here; what that schema cannot say is written here: transaction dicts with Python's
dates and decimals (:class:`TransactionDict`), history rows holding :class:`xspense.Transaction`
objects, the redaction operators and the task-store protocol. They add nothing at run time.

Annotations are evaluated (no ``from __future__ import annotations``) so that
``__required_keys__`` is right at run time, as in :mod:`xspense.records`.
"""

import datetime
import decimal
import sys
from typing import TYPE_CHECKING, Any, List, Optional, Sequence, Union

if sys.version_info >= (3, 11):
    from typing import Literal, NotRequired, Protocol, TypedDict
else:  # pragma: no cover - older Pythons
    from typing_extensions import Literal, NotRequired, Protocol, TypedDict

from .records import (
    Actions,
    AllowedCategory,
    AuditAction,
    AuditEntry,
    Band,
    Category,
    Change,
    Claims,
    ConflictingRow,
    DetectorSpec,
    Direction,
    Enqueued,
    EngineConfig,
    JsonFinding,
    JsonValue,
    LabelledInput,
    LlmExample,
    MiningOptions,
    NewTask,
    Normalized,
    QueueCounts,
    QueueStats,
    RedactorSpec,
    Rule,
    RuleSuggestion,
    Source,
    Statement,
    StatementTransaction,
    Stats,
    Task,
    TaskStatus,
    TransactionInput,
)
from .records import Hints as StatementHints
from .records import Report as StatementReport
from .records import Transaction as TransactionRecord

if TYPE_CHECKING:
    from ._native import Transaction

#: What a rule does when it holds (``records.Actions``).
RuleAction = Actions

#: How findings are replaced.
Operator = Literal["placeholder", "mask", "hash", "remove", "token"]


class TransactionDict(TypedDict):
    """A transaction as a dict (what ``categorize``, ``feedback`` and ``parse_transaction``
    accept besides :class:`xspense.Transaction`): the core's ``TransactionInput`` (same keys),
    with a ``datetime.date`` allowed as ``date`` and an ``int`` or ``decimal.Decimal`` as
    ``amount``. ``descriptor``, ``amount`` (or ``amount_minor``) and ``date`` are needed; a
    negative amount means a debit; an absent ``id`` is the position in a batch, and the core
    supplies the defaults of the others (see ``records.TransactionInput``)."""

    id: NotRequired[str]
    tenant: NotRequired[str]
    descriptor: str
    amount: NotRequired[Union[str, int, float, decimal.Decimal]]
    amount_minor: NotRequired[int]
    currency: NotRequired[str]
    direction: NotRequired[Direction]
    date: Union[str, datetime.date]
    merchant: NotRequired[str]
    account: NotRequired[str]
    mcc: NotRequired[int]
    bank_category: NotRequired[str]


class LabelledDict(TypedDict):
    """One confirmed history row for ``Engine.suggest_rules`` (``records.LabelledInput`` with a
    :class:`TransactionDict` or a :class:`xspense.Transaction`)."""

    transaction: Union[TransactionDict, "Transaction"]
    category: str


class EmbedderProtocol(Protocol):
    """A sentence-embedding model written by the host, for ``Engine(embedder=...)``: the
    engine asks it about merchants nothing else knows well (the tenant's merchants closest in
    meaning, and the nearest known merchants and card-code descriptions; see
    ``docs/semantic-embedder.md``).

    ``embed`` is called with the engine locked: it must not call the engine. An exception, or
    an answer that is not one finite vector of ``dim`` numbers per text, is raised by the
    engine call during which it happened (those texts get the zero vector, which matches
    nothing). The merchant base is embedded once per engine, and only kept when every entry
    was embedded: after a failure there, the next call that needs it asks the model again.
    """

    @property
    def dim(self) -> int:
        """The length of every vector."""
        ...

    def embed(self, texts: List[str]) -> Sequence[Sequence[float]]:
        """One vector per text, in order (for example sentence-transformers'
        ``model.encode(texts, normalize_embeddings=True).tolist()``)."""
        ...


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
    "ConflictingRow",
    "EmbedderProtocol",
    "DetectorSpec",
    "Direction",
    "EngineConfig",
    "Enqueued",
    "JsonFinding",
    "JsonValue",
    "LabelledDict",
    "LabelledInput",
    "LlmExample",
    "MiningOptions",
    "NewTask",
    "Normalized",
    "Operator",
    "QueueCounts",
    "QueueStats",
    "RedactorSpec",
    "RetryPolicyLike",
    "Rule",
    "RuleAction",
    "RuleSuggestion",
    "Source",
    "Statement",
    "StatementHints",
    "StatementReport",
    "StatementTransaction",
    "Stats",
    "Task",
    "TaskStatus",
    "TaskStoreProtocol",
    "TransactionDict",
    "TransactionInput",
    "TransactionRecord",
]
