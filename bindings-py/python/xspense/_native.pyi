"""Type stubs of the compiled core binding (``xspense._native``); mypy's stubtest checks them
against the built module (``scripts/test-python.sh``)."""

import datetime
import decimal
import os

from typing import (
    Any,
    Callable,
    Dict,
    Final,
    Iterable,
    List,
    Optional,
    Sequence,
    Tuple,
    Union,
    final,
)

from typing_extensions import Self, Unpack, disjoint_base

from .types import (
    AllowedCategory,
    AuditEntry,
    Band,
    Category,
    Change,
    Claims,
    DetectorSpec,
    Direction,
    Enqueued,
    EngineConfig,
    JsonFinding,
    LabelledDict,
    LlmExample,
    MiningOptions,
    Normalized,
    Operator,
    QueueStats,
    Rule,
    RuleSuggestion,
    Source,
    Statement,
    StatementHints,
    Stats,
    Task,
    TaskStatus,
    TaskStoreProtocol,
    EmbedderProtocol,
    TransactionDict,
    TransactionRecord,
)

__all__ = [
    "XspenseError",
    "InvalidInputError",
    "ParseError",
    "NotFoundError",
    "ConflictError",
    "InvalidAnswerError",
    "CorruptSnapshotError",
    "InvalidTransitionError",
    "RateLimitedError",
    "InternalError",
    "LeaseLostError",
    "PayloadTooLargeError",
    "TokenMalformedError",
    "TokenBadSignatureError",
    "TokenWrongAudienceError",
    "TokenWrongIssuerError",
    "TokenExpiredError",
    "TokenNotYetValidError",
    "TokenReplayedError",
    "TamperedError",
    "__version__",
    "ERROR_CODES",
    "TASK_STATUSES",
    "Engine",
    "Transaction",
    "parse_transaction",
    "read_statement",
    "Categorization",
    "TraceStep",
    "LlmRequest",
    "Redactor",
    "TokenVault",
    "Finding",
    "Redacted",
    "RedactedJson",
    "TaskQueue",
    "RetryPolicy",
    "Signer",
    "Verifier",
    "sign_webhook",
    "verify_webhook",
    "RateLimiter",
    "RateDecision",
    "PayloadGuard",
    "AuditLog",
    "verify_audit",
    "migrate_store",
]

__version__: Final[str]
#: Every stable error code, in the core's order.
ERROR_CODES: Final[List[str]]
#: Every task status, in lifecycle order.
TASK_STATUSES: Final[List[str]]

_Bytes = Union[bytes, str]
_Date = Union[str, datetime.date]  # "YYYY-MM-DD", datetime.date or datetime.datetime
_Amount = Union[str, int, float, decimal.Decimal]

class XspenseError(Exception):
    """Base class of every xspense error; ``code`` is the stable error code."""

    code: str

class InvalidInputError(XspenseError): ...
class ParseError(XspenseError):
    line: int
    column: int

class NotFoundError(XspenseError): ...
class ConflictError(XspenseError): ...
class InvalidAnswerError(XspenseError): ...
class CorruptSnapshotError(XspenseError): ...
class InvalidTransitionError(XspenseError): ...
class RateLimitedError(XspenseError): ...
class InternalError(XspenseError): ...
class LeaseLostError(XspenseError): ...
class PayloadTooLargeError(XspenseError): ...
class TokenMalformedError(XspenseError): ...
class TokenBadSignatureError(XspenseError): ...
class TokenWrongAudienceError(XspenseError): ...
class TokenWrongIssuerError(XspenseError): ...
class TokenExpiredError(XspenseError): ...
class TokenNotYetValidError(XspenseError): ...
class TokenReplayedError(XspenseError): ...
class TamperedError(XspenseError):
    seq: int

@final
class Transaction:
    """A bank transaction, read by the core as the :class:`TransactionDict` of its arguments.
    A negative ``amount`` means a debit; floats are read by their shortest decimal form
    (``4.75`` stays ``4.75``); ``amount_minor`` takes minor units. An argument left out (or
    ``None``) takes the core's default (``records.TransactionInput``); the id's is ``"0"``."""

    def __new__(
        cls,
        descriptor: str,
        amount: Optional[_Amount] = None,
        *,
        date: _Date,
        tenant: Optional[str] = None,
        id: Optional[str] = None,
        direction: Optional[Direction] = None,
        currency: Optional[str] = None,
        merchant: Optional[str] = None,
        account: Optional[str] = None,
        mcc: Optional[int] = None,
        amount_minor: Optional[int] = None,
        bank_category: Optional[str] = None,
    ) -> Self: ...
    @property
    def id(self) -> str: ...
    @property
    def tenant(self) -> str: ...
    @property
    def descriptor(self) -> str: ...
    @property
    def merchant(self) -> Optional[str]: ...
    @property
    def amount(self) -> str:
        """The amount as a decimal string (``"4.75"``)."""
    @property
    def amount_minor(self) -> int: ...
    @property
    def currency(self) -> str: ...
    @property
    def direction(self) -> Direction: ...
    @property
    def date(self) -> str:
        """ISO date (``"2026-11-22"``)."""
    @property
    def account(self) -> Optional[str]: ...
    @property
    def mcc(self) -> Optional[int]: ...
    @property
    def bank_category(self) -> Optional[str]:
        """The bank's or app's own category, from a statement."""
    def to_dict(self) -> Dict[str, Any]: ...

_TxLike = Union[Transaction, TransactionDict]

def parse_transaction(transaction: _TxLike) -> TransactionRecord:
    """Reads and checks a transaction as the engine would, without categorizing it; returns it
    in the core's JSON shape (``amount`` as ``{"minor", "currency"}``, the sign as
    ``direction``). ``InvalidInputError`` names what is wrong."""

def read_statement(
    data: Union[bytes, bytearray, str, "os.PathLike[str]"],
    hints: Optional[StatementHints] = None,
) -> Statement:
    """Reads a bank or card statement (CSV, OFX/QFX, QIF, CAMT.053/.052) from its bytes, or from
    the file at a path (``str`` or ``os.PathLike``; ``OSError`` when it cannot be read; a
    ``str`` holding a line break is refused as text given for a path).
    ``hints`` overrides what the file leaves undecided (``date_order``, ``decimal``,
    ``encoding``, ``amount_sign``, ``currency``, ``columns``). Returns the transactions and the
    report of what was detected and how; ``InvalidInputError`` names the row, the column and the
    hint that settles what could not be read."""

@final
class TraceStep:
    """One step of the explanation: which stage said what."""

    @property
    def stage(self) -> str: ...
    @property
    def detail(self) -> str: ...
    @property
    def category(self) -> Optional[str]: ...
    @property
    def confidence(self) -> Optional[float]: ...
    def to_dict(self) -> Dict[str, Any]: ...

@final
class Categorization:
    """The engine's answer for one transaction."""

    @property
    def transaction_id(self) -> str: ...
    @property
    def category(self) -> str: ...
    @property
    def confidence(self) -> float: ...
    @property
    def band(self) -> Band: ...
    @property
    def source(self) -> Source: ...
    @property
    def reason(self) -> str: ...
    @property
    def merchant_key(self) -> str: ...
    @property
    def merchant(self) -> str: ...
    @property
    def tags(self) -> List[str]: ...
    @property
    def trace(self) -> List[TraceStep]: ...
    @property
    def needs_llm(self) -> bool:
        """Always ``False``."""
    def to_dict(self) -> Dict[str, Any]: ...

@final
class LlmRequest:
    """What to ask the host's language model; pass its answer text to ``Engine.resolve``."""

    @property
    def tenant(self) -> str: ...
    @property
    def transaction_id(self) -> str: ...
    @property
    def merchant_key(self) -> str: ...
    @property
    def merchant(self) -> str: ...
    @property
    def date(self) -> str: ...
    @property
    def system(self) -> str: ...
    @property
    def prompt(self) -> str:
        """The user message; personal data has been redacted from it."""
    @property
    def allowed_categories(self) -> List[AllowedCategory]: ...
    @property
    def examples(self) -> List[LlmExample]: ...
    @property
    def answer_schema(self) -> Dict[str, Any]: ...
    @property
    def best_guess(self) -> Optional[Categorization]: ...
    @property
    def needs_llm(self) -> bool:
        """Always ``True``."""
    def messages(self) -> List[Dict[str, str]]:
        """``[{"role": "system", ...}, {"role": "user", ...}]`` for a chat-completion client."""
    def to_dict(self) -> Dict[str, Any]: ...
    def to_json(self) -> str: ...
    @staticmethod
    def from_json(text: str) -> LlmRequest: ...

@disjoint_base
class Engine:
    """The categorization engine (see ``xspense.Engine`` for the pandas helper)."""

    def __new__(
        cls,
        config: Optional[EngineConfig] = None,
        *,
        store: Optional[str] = None,
        embedder: Optional[EmbedderProtocol] = None,
    ) -> Self:
        """In memory, or with ``store`` (a URL) as ``Engine.open(store, config)``; with
        ``embedder``, the host's sentence-embedding model is asked about merchants nothing
        else knows well (see ``xspense.EmbedderProtocol``)."""
    @classmethod
    def open(cls, url: str, config: Optional[EngineConfig] = None) -> Self:
        """An engine whose tenants' state is kept in the store at ``url`` (``sqlite:PATH``, a
        file path or ``postgres://...``): each tenant is loaded on first use and read on to other processes'
        changes before every call, and what a call changes is appended at once."""
    def warm_semantic(self) -> int:
        """Embeds the merchant base with the ``embedder`` now (else the first transaction that
        needs it does); its number of entries, 0 without one."""
    def use_supplied_vectors(self, dim: int) -> None:
        """From now on the engine's sentence-embedding model is one you run yourself (an async
        or remote model) and whose vectors, of length ``dim``, you supply: ``semantic_texts``
        lists what the next calls need, ``supply_semantic_vectors`` takes the vectors."""
    def semantic_texts(self, transactions: Sequence[_TxLike]) -> List[str]:
        """The texts the model has no vector for yet that calls about ``transactions`` would
        embed, each once (the merchant base once, then merchant keys); empty without
        supplied vectors."""
    def supply_semantic_vectors(
        self, texts: Sequence[str], vectors: Sequence[Sequence[float]]
    ) -> int:
        """Takes one vector per text (``dim`` finite numbers, not all zero); the number of new
        texts. A wrong count, length or number raises ``InvalidInputError``, storing nothing."""
    @property
    def location(self) -> Optional[str]:
        """The store URL of an engine opened on a store (any password masked), else ``None``."""
    @property
    def config(self) -> EngineConfig: ...
    def categorize(self, transaction: _TxLike) -> Union[Categorization, LlmRequest]: ...
    def categorize_batch(
        self, transactions: Iterable[_TxLike]
    ) -> List[Union[Categorization, LlmRequest]]:
        """One call for many transactions; the GIL is released while the core works."""
    def categorize_with(
        self, transaction: _TxLike, complete: Callable[[LlmRequest], str]
    ) -> Categorization:
        """Categorizes, calling ``complete(request)`` (a blocking model client) if needed."""
    def resolve(self, request: LlmRequest, answer: str) -> Categorization:
        """Checks the model's answer text and learns from it; ``InvalidAnswerError`` if bad."""
    def feedback(self, transaction: _TxLike, category: str) -> None:
        """Learns a correction: ``transaction`` belongs in ``category``."""
    def explain(self, transaction: _TxLike) -> Categorization:
        """What the engine would answer and why, without counting or learning."""
    def forget_merchant(self, tenant: str, key: str) -> bool: ...
    def stats(self, tenant: str) -> Stats: ...
    def normalize(self, descriptor: str) -> Normalized: ...
    def tenants(self) -> List[str]: ...
    def taxonomy(self, tenant: str) -> List[Category]: ...
    def add_category(
        self, tenant: str, id: str, name: str, parent: Optional[str] = None
    ) -> bool: ...
    def add_rules(self, tenant: str, rules: Union[str, Sequence[Rule]]) -> List[str]:
        """Adds rules from rule text or rule dicts; returns their ids."""
    def remove_rule(self, tenant: str, id: str) -> None: ...
    def rules(self, tenant: str) -> List[Rule]: ...
    @staticmethod
    def check_rules(text: str) -> List[Rule]:
        """Parses rule text without adding it; ``ParseError`` with ``line``/``column``."""
    def suggest_rules(
        self,
        tenant: str,
        history: Iterable[
            Union[Tuple[Union[TransactionDict, Transaction], str], LabelledDict]
        ],
        **options: Unpack[MiningOptions],
    ) -> List[RuleSuggestion]:
        """Rules mined from confirmed history, each with its backtest; adds nothing.
        ``options`` are the core's mining options; an absent one takes the core's default."""
    def drain_changes(self) -> List[Change]:
        """Change events since the last call, for the host to persist (none on a store)."""
    def apply_changes(self, changes: Sequence[Change]) -> None:
        """Replays change events; an engine opened on a store refuses (``InvalidInputError``)."""
    def export_snapshot(self, tenant: Optional[str] = None) -> str: ...
    def import_snapshot(self, snapshot: str) -> List[str]:
        """Imports a snapshot; an engine opened on a store refuses (``InvalidInputError``)."""

@final
class Finding:
    """Sensitive data found in a text; ``start``/``end`` index the Python string."""

    @property
    def kind(self) -> str: ...
    @property
    def start(self) -> int: ...
    @property
    def end(self) -> int: ...
    @property
    def confidence(self) -> float: ...
    @property
    def detector(self) -> str: ...
    def to_dict(self) -> Dict[str, Any]: ...

@final
class Redacted:
    @property
    def text(self) -> str: ...
    @property
    def findings(self) -> List[Finding]: ...

@final
class RedactedJson:
    @property
    def value(self) -> Any: ...
    @property
    def findings(self) -> List[JsonFinding]: ...

@final
class TokenVault:
    """Remembers the values behind ``<KIND_n>`` tokens."""

    def __new__(cls) -> Self: ...
    def restore(self, text: str) -> str: ...
    def value_of(self, token: str) -> Optional[str]: ...
    def __len__(self) -> int: ...

@final
class Redactor:
    """Finds and replaces cards, IBANs, SSNs, routing numbers, emails, phones, IPs, JWTs,
    API keys and secrets. The keyword arguments are the core's ``RedactorSpec``
    (``records.RedactorSpec``); one left out (or ``None``) takes the core's default."""

    def __new__(
        cls,
        *,
        operator: Optional[Operator] = None,
        min_confidence: Optional[float] = None,
        hash_key: Optional[_Bytes] = None,
        disable: Optional[Sequence[str]] = None,
        builtin_secrets: Optional[bool] = None,
        detectors: Optional[Sequence[DetectorSpec]] = None,
        allow_values: Optional[Sequence[str]] = None,
        allow_patterns: Optional[Sequence[str]] = None,
        for_descriptors: Optional[bool] = None,
    ) -> Self: ...
    @property
    def operator(self) -> Operator: ...
    def detector_ids(self) -> List[str]: ...
    def find(self, text: str) -> List[Finding]: ...
    def redact(self, text: str, vault: Optional[TokenVault] = None) -> Redacted: ...
    def redact_batch(
        self, texts: Sequence[str], vault: Optional[TokenVault] = None
    ) -> List[str]: ...
    def redact_json(self, value: Any, vault: Optional[TokenVault] = None) -> RedactedJson: ...

@final
class RetryPolicy:
    """Exponential backoff with deterministic jitter."""

    def __new__(
        cls, *, base_ms: int = 1000, factor: float = 2.0, max_ms: int = 600000, jitter: float = 0.5
    ) -> Self: ...
    @property
    def base_ms(self) -> int: ...
    @property
    def factor(self) -> float: ...
    @property
    def max_ms(self) -> int: ...
    @property
    def jitter(self) -> float: ...
    def delay_ms(self, task_id: str, attempt: int) -> int: ...

@final
class TaskQueue:
    """Claims, leases, retries, idempotency and dead letters over a store (built-in in-memory
    store, the host's object following ``xspense.TaskStoreProtocol``, or a database opened with
    ``TaskQueue.open(url)``). ``now`` arguments are ms since the epoch and default to the
    system clock."""

    def __new__(
        cls, store: Optional[TaskStoreProtocol] = None, *, retry: Optional[RetryPolicy] = None
    ) -> Self: ...
    @staticmethod
    def open(url: str, *, retry: Optional[RetryPolicy] = None) -> TaskQueue:
        """The task store at ``url``: ``sqlite:PATH`` or a file path (created and migrated),
        or ``postgres://...`` (migrated beforehand)."""
    @property
    def store(self) -> Optional[TaskStoreProtocol]: ...
    @property
    def location(self) -> Optional[str]:
        """The store URL of a queue opened by URL (any password masked), else ``None``."""
    def enqueue(
        self,
        tenant: str,
        queue: str,
        intent: str,
        payload: Any = None,
        *,
        sender: str = "api",
        idempotency_key: Optional[str] = None,
        correlation_id: Optional[str] = None,
        priority: int = 0,
        run_at: Optional[int] = None,
        max_attempts: int = 5,
        now: Optional[int] = None,
    ) -> Enqueued: ...
    def enqueue_downstream(
        self,
        parent: Task,
        queue: str,
        intent: str,
        payload: Any = None,
        *,
        idempotency_key: Optional[str] = None,
        priority: int = 0,
        now: Optional[int] = None,
    ) -> Enqueued: ...
    def claim(
        self, queue: str, worker: str, *, lease_ms: int = 30000, now: Optional[int] = None
    ) -> Optional[Task]: ...
    def heartbeat(
        self, tenant: str, id: str, worker: str, *, lease_ms: int = 30000, now: Optional[int] = None
    ) -> int: ...
    def complete(
        self, tenant: str, id: str, worker: str, result: Any = None, *, now: Optional[int] = None
    ) -> None: ...
    def fail(
        self,
        tenant: str,
        id: str,
        worker: str,
        error: str,
        *,
        retry: Optional[RetryPolicy] = None,
        now: Optional[int] = None,
    ) -> TaskStatus: ...
    def cancel(self, tenant: str, id: str, *, now: Optional[int] = None) -> None: ...
    def get(self, tenant: str, id: str) -> Task: ...
    def stats(self, *, now: Optional[int] = None) -> QueueStats: ...
    def purge(self, retention_ms: int, *, now: Optional[int] = None) -> int: ...

@final
class Signer:
    """Signs envelopes (compact HS256 JWTs) as one issuer; keys need 32+ bytes."""

    def __new__(cls, key: _Bytes, issuer: str) -> Self: ...
    def sign(
        self,
        message: Dict[str, Any],
        audience: str,
        jti: str,
        *,
        ttl_ms: int = 60000,
        now: Optional[int] = None,
    ) -> str: ...

@final
class Verifier:
    """Verifies envelopes: signature (any key, for rotation), issuer, audience, time, replay."""

    def __new__(
        cls,
        keys: Sequence[_Bytes],
        issuers: Sequence[str],
        audience: str,
        *,
        leeway_ms: int = 30000,
        replay_capacity: int = 100000,
    ) -> Self: ...
    def verify(self, token: str, *, now: Optional[int] = None) -> Claims: ...

def sign_webhook(secret: _Bytes, body: _Bytes, *, now: Optional[int] = None) -> str: ...
def verify_webhook(
    secret: _Bytes,
    header: str,
    body: _Bytes,
    *,
    tolerance_ms: int = 300000,
    now: Optional[int] = None,
) -> None: ...

@final
class RateDecision:
    @property
    def allowed(self) -> bool: ...
    @property
    def remaining(self) -> int: ...
    @property
    def retry_after_ms(self) -> int: ...
    @property
    def reset_after_ms(self) -> int: ...
    def __bool__(self) -> bool: ...

@final
class RateLimiter:
    """GCRA: ``count`` requests per ``period_ms`` per tenant and route, bursts of ``burst``."""

    def __new__(cls, count: int, period_ms: int, *, burst: Optional[int] = None) -> Self: ...
    @staticmethod
    def open(url: str, count: int, period_ms: int, *, burst: Optional[int] = None) -> RateLimiter:
        """A limiter whose state is kept in the store at ``url`` (shared by every limiter
        opened on it)."""
    @property
    def location(self) -> Optional[str]:
        """The store URL of a limiter opened by URL (any password masked), else ``None``."""
    def check(
        self, tenant: str, route: str, *, n: int = 1, now: Optional[int] = None
    ) -> RateDecision: ...
    def enforce(self, tenant: str, route: str, *, now: Optional[int] = None) -> RateDecision: ...

@final
class PayloadGuard:
    def __new__(cls, max_bytes: int = 1048576, max_depth: int = 64) -> Self: ...
    def check_size(self, payload: _Bytes) -> None: ...
    def check_json(self, payload: _Bytes) -> None: ...

@final
class AuditLog:
    """Append-only, hash-chained; values are redacted before hashing unless ``redact=False``.
    In memory one chain holds every tenant; in a store (``AuditLog.open(url)``) each tenant
    has its own chain, so ``entries``, ``verify`` and ``len`` need a tenant there."""

    def __new__(cls, *, redact: bool = True) -> Self: ...
    @staticmethod
    def resume(entries: Sequence[AuditEntry], *, redact: bool = True) -> AuditLog: ...
    @staticmethod
    def open(url: str) -> AuditLog:
        """The audit log in the store at ``url`` (always redacting)."""
    @property
    def location(self) -> Optional[str]:
        """The store URL of a log opened by URL (any password masked), else ``None``."""
    def append(
        self,
        tenant: str,
        actor: str,
        action: str,
        subject: str,
        *,
        old: Any = None,
        new: Any = None,
        at: Optional[int] = None,
    ) -> AuditEntry: ...
    def entries(self, tenant: Optional[str] = None) -> List[AuditEntry]: ...
    def verify(self, tenant: Optional[str] = None) -> int: ...
    def __len__(self) -> int: ...

def verify_audit(entries: Sequence[AuditEntry]) -> None: ...
def migrate_store(url: str) -> int:
    """Creates or upgrades the schema of the database at ``url`` (``sqlite:PATH``, a file path,
    or ``postgres://...``); returns its schema version. PostgreSQL needs it before a store is
    opened; a SQLite file migrates itself on open."""
