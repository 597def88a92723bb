"""xspense: categorize bank text, redact PII and secrets, coordinate AI workers.

The behaviour lives in the Rust core (``xspense._native``); this package re-exports it and adds
typed records (``xspense.types``, generated from the core into ``xspense.records``) and a pandas
helper.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Mapping, Union, cast

from . import _native
from ._native import (
    ERROR_CODES,
    TASK_STATUSES,
    AuditLog,
    Categorization,
    ConflictError,
    CorruptSnapshotError,
    Finding,
    InternalError,
    InvalidAnswerError,
    InvalidInputError,
    InvalidTransitionError,
    LeaseLostError,
    LlmRequest,
    NotFoundError,
    ParseError,
    PayloadGuard,
    PayloadTooLargeError,
    RateDecision,
    RateLimitedError,
    RateLimiter,
    Redacted,
    RedactedJson,
    Redactor,
    RetryPolicy,
    Signer,
    TamperedError,
    TaskQueue,
    TokenBadSignatureError,
    TokenExpiredError,
    TokenMalformedError,
    TokenNotYetValidError,
    TokenReplayedError,
    TokenVault,
    TokenWrongAudienceError,
    TokenWrongIssuerError,
    TraceStep,
    Transaction,
    Verifier,
    XspenseError,
    migrate_store,
    parse_transaction,
    read_statement,
    sign_webhook,
    verify_audit,
    verify_webhook,
)
from .types import EmbedderProtocol, TaskStoreProtocol, TransactionDict

if TYPE_CHECKING:
    import pandas  # type: ignore[import-untyped, unused-ignore]

__version__: str = _native.__version__

#: What ``Engine.categorize`` returns: an answer, or a request for the host's model.
Decision = Union[Categorization, LlmRequest]


class Engine(_native.Engine):
    """The categorization engine: every tenant's rules, memory and statistics.

    ``categorize`` returns a :class:`Categorization`, or an :class:`LlmRequest` when no stage
    is confident; send ``request.messages()`` to your model and hand its text to ``resolve``.
    """

    def categorize_frame(
        self,
        frame: "pandas.DataFrame",
        *,
        tenant: str | None = None,
        columns: Mapping[str, str] | None = None,
    ) -> "pandas.DataFrame":
        """Categorizes every row of a DataFrame in one batch and returns a new DataFrame.

        Rows are read as transaction dicts: columns named like the fields of
        :class:`Transaction` (``descriptor``, ``amount``, ``date``, ...); ``columns`` renames
        yours to those (``{"Description": "descriptor"}``). The result has the input's index and
        the columns ``category, confidence, band, source, merchant, reason, needs_llm``; rows
        that need the model carry the engine's best guess, if any.
        """
        import pandas as pd  # type: ignore[import-untyped, unused-ignore]  # optional

        renamed = frame.rename(columns=dict(columns or {}))
        records: list[TransactionDict] = []
        for i, row in enumerate(renamed.to_dict("records")):
            tx = {str(k): v for k, v in row.items() if not _is_missing(v)}
            tx.setdefault("id", str(i))
            if tenant is not None:
                tx["tenant"] = tenant
            records.append(cast(TransactionDict, tx))
        out = []
        for d in self.categorize_batch(records):
            c = d.best_guess if isinstance(d, LlmRequest) else d
            out.append(
                {
                    "category": c.category if c else None,
                    "confidence": c.confidence if c else None,
                    "band": c.band if c else None,
                    "source": c.source if c else None,
                    "merchant": c.merchant if c else d.merchant,
                    "reason": c.reason if c else None,
                    "needs_llm": d.needs_llm,
                }
            )
        return pd.DataFrame(out, index=frame.index)


def _is_missing(v: object) -> bool:
    """NaN and None (pandas' empty cells)."""
    return v is None or (isinstance(v, float) and v != v)


__all__ = [
    "ERROR_CODES",
    "TASK_STATUSES",
    "AuditLog",
    "Categorization",
    "ConflictError",
    "CorruptSnapshotError",
    "Decision",
    "EmbedderProtocol",
    "Engine",
    "Finding",
    "InternalError",
    "InvalidAnswerError",
    "InvalidInputError",
    "InvalidTransitionError",
    "LeaseLostError",
    "LlmRequest",
    "NotFoundError",
    "ParseError",
    "PayloadGuard",
    "PayloadTooLargeError",
    "RateDecision",
    "RateLimitedError",
    "RateLimiter",
    "Redacted",
    "RedactedJson",
    "Redactor",
    "RetryPolicy",
    "Signer",
    "TamperedError",
    "TaskQueue",
    "TaskStoreProtocol",
    "TokenBadSignatureError",
    "TokenExpiredError",
    "TokenMalformedError",
    "TokenNotYetValidError",
    "TokenReplayedError",
    "TokenVault",
    "TokenWrongAudienceError",
    "TokenWrongIssuerError",
    "TraceStep",
    "Transaction",
    "TransactionDict",
    "Verifier",
    "XspenseError",
    "migrate_store",
    "parse_transaction",
    "read_statement",
    "sign_webhook",
    "verify_audit",
    "verify_webhook",
]
