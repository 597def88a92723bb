"""Engine: the shared categorize / rule-error / LLM-answer vectors, and the Python surface."""

from __future__ import annotations

import datetime
import decimal
import threading
from typing import Any, Dict

import pytest
import xspense
from conftest import load_vectors, vector_tx


@pytest.mark.parametrize("case", load_vectors("semantic_supplied.json"), ids=lambda c: c["name"])
def test_semantic_supplied_vectors(case: dict) -> None:
    """An engine with supplied vectors, before and after they come (core/tests/vectors/README.md)."""
    e = xspense.Engine()
    e.use_supplied_vectors(case["dim"])
    for i, f in enumerate(case["feedback"]):
        e.feedback(vector_tx(i, f), f["category"])
    t = vector_tx(999, case["transaction"])
    texts = e.semantic_texts([t])
    for want in case["listed"]:
        assert want in texts
    before = e.categorize(t)
    decision = "categorized" if isinstance(before, xspense.Categorization) else "needs_llm"
    assert decision == case["expect_without_vectors"]["decision"]
    known = [text for text in texts if text in case["vectors"]]
    assert len(known) == len(case["vectors"])
    assert e.supply_semantic_vectors(known, [case["vectors"][k] for k in known]) == len(known)
    d = e.categorize(t)
    assert isinstance(d, xspense.Categorization), d
    assert (d.category, d.source) == (case["expect"]["category"], case["expect"]["source"])
    steps = [s.detail for s in d.trace if s.stage == "semantic"]
    assert steps and case["expect"]["semantic_step"] in steps[0], d.trace


def test_supplied_vectors_refuse_a_wrong_vector_and_an_engine_not_built_for_them() -> None:
    e = xspense.Engine()
    with pytest.raises(xspense.InvalidInputError, match="with_supplied_vectors"):
        e.supply_semantic_vectors(["x"], [[1.0, 0.0]])
    assert e.semantic_texts([vector_tx(0, {"descriptor": "ORTHO CARE PLUS"})]) == []
    e.use_supplied_vectors(2)
    with pytest.raises(xspense.InvalidInputError, match="vector 1 holds NaN"):
        e.supply_semantic_vectors(["ortho care plus", "b"], [[1.0, 0.0], [float("nan"), 1.0]])
    with pytest.raises(xspense.InvalidInputError, match="dimension 2"):
        e.supply_semantic_vectors(["a"], [[1.0, 0.0, 0.0]])
    with pytest.raises(xspense.InvalidInputError, match="dimension must be 1 to"):
        e.use_supplied_vectors(0)
    # nothing was stored: the refused texts are still wanted
    assert "ortho care plus" in e.semantic_texts([vector_tx(0, {"descriptor": "ORTHO CARE PLUS"})])
    assert e.warm_semantic() == 0


@pytest.mark.parametrize("case", load_vectors("categorize.json"), ids=lambda c: c["name"])
def test_categorize_vectors(case: dict) -> None:
    e = xspense.Engine()
    e.add_rules("vectors", case["rules"])
    for i, f in enumerate(case["feedback"]):
        e.feedback(vector_tx(i, f), f["category"])
    d = e.categorize(vector_tx(999, case["transaction"]))
    exp = case["expect"]
    if exp["decision"] == "categorized":
        assert isinstance(d, xspense.Categorization), d
        assert d.category == exp["category"]
        assert d.source == exp["source"]
        if "merchant_key" in exp:
            assert d.merchant_key == exp["merchant_key"]
    else:
        assert isinstance(d, xspense.LlmRequest), d
        assert d.needs_llm
        if "merchant_key" in exp:
            assert d.merchant_key == exp["merchant_key"]


@pytest.mark.parametrize("case", load_vectors("rule_errors.json"), ids=lambda c: c["rules"][:30])
def test_rule_error_vectors(case: dict) -> None:
    e = xspense.Engine()
    with pytest.raises(xspense.XspenseError) as info:
        e.add_rules("vectors", case["rules"])
    assert info.value.code == case["code"]
    if "line" in case:
        assert isinstance(info.value, xspense.ParseError)
        assert (info.value.line, info.value.column) == (case["line"], case["column"])
    assert e.rules("vectors") == [], "nothing added on error"


@pytest.mark.parametrize("case", load_vectors("llm_answers.json"), ids=lambda c: c["answer"][:30])
def test_llm_answer_vectors(case: dict) -> None:
    e = xspense.Engine()
    req = e.categorize(vector_tx(1, {"descriptor": "ODD SHOP 42", "amount": "3.00"}))
    assert isinstance(req, xspense.LlmRequest)
    if case["ok"]:
        got = e.resolve(req, case["answer"])
        assert got.category == case["category"]
        assert got.source == "llm"
    else:
        with pytest.raises(xspense.InvalidAnswerError):
            e.resolve(req, case["answer"])
        assert e.stats("vectors")["by_source"].get("llm", 0) == 0, "nothing learned"


def test_transaction_class_and_dict_agree() -> None:
    e = xspense.Engine()
    t = xspense.Transaction(
        "SQ *BLUE BOTTLE 0042 OAKLAND CA", "4.75", date=datetime.date(2026, 1, 2), tenant="a", id="x"
    )
    assert (t.amount, t.amount_minor, t.currency, t.direction, t.date) == ("4.75", 475, "USD", "debit", "2026-01-02")
    d = {"tenant": "a", "id": "x", "descriptor": t.descriptor, "amount": decimal.Decimal("4.75"), "date": "2026-01-02"}
    a, b = e.categorize(t), e.categorize(d)
    assert isinstance(a, xspense.Categorization) and isinstance(b, xspense.Categorization)
    assert a.to_dict() == b.to_dict()
    assert a.merchant == "Blue Bottle Coffee"
    assert a.trace[0].stage == "normalize"


def test_amount_forms() -> None:
    mk = lambda **kw: xspense.Transaction("SHOP", date="2026-01-01", **kw)
    assert mk(amount=-12.5).direction == "debit"
    assert mk(amount=-12.5).amount_minor == 1250
    assert mk(amount=3).amount == "3.00"
    assert mk(amount_minor=999).amount == "9.99"
    assert mk(amount="1000", currency="jpy").amount_minor == 1000
    with pytest.raises(xspense.InvalidInputError):
        mk(amount="-5", direction="credit")
    with pytest.raises(xspense.InvalidInputError):
        mk(amount="twelve")
    with pytest.raises(xspense.InvalidInputError):
        mk(amount="1", currency="DOLLARS")
    with pytest.raises(TypeError):
        mk(amount=True)


def test_bad_input_is_typed_and_changes_nothing() -> None:
    e = xspense.Engine()
    good = {"tenant": "a", "descriptor": "TESCO STORES 1", "amount": "1", "date": "2026-01-01"}
    with pytest.raises(xspense.InvalidInputError, match="#1"):
        e.categorize_batch([good, {**good, "descriptor": ""}])
    assert e.stats("a")["total"] == 0
    with pytest.raises(xspense.InvalidInputError, match="unknown field `amout`"):
        e.categorize({**good, "amout": "1"})
    with pytest.raises(xspense.InvalidInputError, match="YYYY-MM-DD"):
        e.categorize({**good, "date": "01/02/2026"})
    with pytest.raises(TypeError):
        e.categorize(["not", "a", "dict"])  # type: ignore[arg-type]
    with pytest.raises(xspense.NotFoundError):
        e.feedback(good, "no.such.category")
    with pytest.raises(xspense.InvalidInputError):
        xspense.Engine({"alias_decay": 2.0})
    with pytest.raises(xspense.InvalidInputError, match="unknown field"):
        xspense.Engine({"no_such_setting": 1})  # type: ignore[typeddict-unknown-key]


def test_batch_matches_single_calls_and_keeps_order() -> None:
    rows = [
        {"tenant": "a", "descriptor": d, "amount": "5", "date": "2026-01-01"}
        for d in ["STARBUCKS 123", "UBER *TRIP", "Kartenzahlung Baeckerei Schmidt", "NETFLIX.COM"]
    ]
    batch = xspense.Engine().categorize_batch(rows)
    single = [xspense.Engine().categorize(r) for r in rows]
    assert [b.transaction_id for b in batch] == ["0", "1", "2", "3"]
    assert [s.transaction_id for s in single] == ["0", "0", "0", "0"]

    def strip(result: Any) -> Dict[str, Any]:
        """The answer without the transaction's id (also inside a best guess)."""
        d = {k: v for k, v in result.to_dict().items() if k != "transaction_id"}
        if d.get("best_guess"):
            d["best_guess"] = {k: v for k, v in d["best_guess"].items() if k != "transaction_id"}
        return d

    assert [strip(b) for b in batch] == [strip(s) for s in single]
    assert batch[2].best_guess is not None  # the word "baeckerei" gives a guess, not an answer
    # any iterable works
    assert len(xspense.Engine().categorize_batch(r for r in rows)) == 4


def test_feedback_then_alias_and_explain() -> None:
    e = xspense.Engine()
    tx = {"tenant": "a", "descriptor": "POS KALOMI TASHI 0042", "amount": "9", "date": "2026-01-01"}
    e.feedback(tx, "food.restaurants")
    c = e.explain(tx)
    assert (c.category, c.source) == ("food.restaurants", "alias")
    assert e.stats("a")["total"] == 0, "explain counts nothing"
    assert e.forget_merchant("a", c.merchant_key)
    assert e.categorize(tx).needs_llm


def test_categorize_with_blocking_client() -> None:
    e = xspense.Engine()
    seen = []

    def complete(req: xspense.LlmRequest) -> str:
        seen.append(req.prompt)
        return '{"category": "food.groceries", "confidence": 0.8, "reason": "a bakery"}'

    tx = {"tenant": "a", "descriptor": "Baeckerei Schmidt 4111 1111 1111 1111", "amount": "3", "date": "2026-01-01"}
    c = e.categorize_with(tx, complete)
    assert (c.category, c.source) == ("food.groceries", "llm")
    assert "4111" not in seen[0], "card numbers never reach the prompt"
    # learned: no second model call
    assert e.categorize_with(tx, complete).source == "alias"
    assert len(seen) == 1

    def broken(req: xspense.LlmRequest) -> str:
        raise RuntimeError("network down")

    with pytest.raises(xspense.InternalError, match="network down"):
        e.categorize_with({**tx, "descriptor": "ANOTHER SHOP"}, broken)


def test_request_round_trips_through_json() -> None:
    e = xspense.Engine()
    req = e.categorize({"tenant": "a", "descriptor": "ODD SHOP 42", "amount": "3", "date": "2026-01-01"})
    assert isinstance(req, xspense.LlmRequest)
    again = xspense.LlmRequest.from_json(req.to_json())
    assert again.to_dict() == req.to_dict()
    assert [m["role"] for m in req.messages()] == ["system", "user"]
    assert "food.coffee" in [c["id"] for c in req.allowed_categories]
    with pytest.raises(xspense.InvalidInputError):
        xspense.LlmRequest.from_json("{}")


def test_rules_as_text_and_json() -> None:
    e = xspense.Engine()
    ids = e.add_rules("a", 'rule coffee: merchant contains "blue bottle" => food.coffee')
    assert ids == ["coffee"]
    as_json = e.rules("a")
    e2 = xspense.Engine()
    assert e2.add_rules("a", as_json) == ["coffee"]
    assert e2.rules("a") == as_json
    e.remove_rule("a", "coffee")
    assert e.rules("a") == []
    with pytest.raises(xspense.NotFoundError):
        e.remove_rule("a", "coffee")
    parsed = xspense.Engine.check_rules("merchant = x => food.coffee\nrule b: amount > 5 => food.other")
    assert [r["id"] for r in parsed][1] == "b"
    with pytest.raises(xspense.ParseError):
        xspense.Engine.check_rules("merchant likes x => y")


def test_tenants_are_isolated() -> None:
    e = xspense.Engine()
    e.add_rules("a", 'merchant contains "acme" => food.coffee')
    e.feedback({"tenant": "a", "descriptor": "ZORBLAX 1", "amount": "1", "date": "2026-01-01"}, "food.bars")
    for d in ["ACME 1", "ZORBLAX 1"]:
        got = e.categorize({"tenant": "b", "descriptor": d, "amount": "1", "date": "2026-01-01"})
        c = got.best_guess if isinstance(got, xspense.LlmRequest) else got
        assert c is None or c.source not in ("rule", "alias")
    assert sorted(e.tenants()) == ["a", "b"]


def test_concurrent_threads_share_one_engine() -> None:
    e = xspense.Engine()
    rows = [{"tenant": "a", "descriptor": f"SHOP {i % 50}", "amount": "1", "date": "2026-01-01"} for i in range(500)]
    errors: list = []

    def work() -> None:
        try:
            for _ in range(4):
                e.categorize_batch(rows)
        except Exception as ex:  # pragma: no cover - reported below
            errors.append(ex)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert e.stats("a")["total"] == 4 * 4 * 500


def test_categorize_frame() -> None:
    pd = pytest.importorskip("pandas")
    df = pd.DataFrame(
        {
            "Description": ["SQ *BLUE BOTTLE 0042 OAKLAND CA", "Kartenzahlung Baeckerei Schmidt"],
            "Amount": [-4.75, -3.20],
            "Date": ["2026-01-02", "2026-01-03"],
        },
        index=["r1", "r2"],
    )
    e = xspense.Engine()
    e.add_rules("me", 'merchant contains "blue bottle" => food.coffee')
    out = e.categorize_frame(df, tenant="me", columns={"Description": "descriptor", "Amount": "amount", "Date": "date"})
    assert list(out.index) == ["r1", "r2"]
    assert out.loc["r1", "category"] == "food.coffee"
    assert out.loc["r1", "source"] == "rule"
    assert bool(out.loc["r2", "needs_llm"]) is True


class ConceptEmbedder:
    """A model of a few concepts: each word it knows stands for one (``smile`` and
    ``orthodontists`` for dentistry), beside a faint hashed spelling of the text, so texts of
    no concept are not all alike. Enough for the engine's semantic stages."""

    CONCEPTS = {"dental": 0, "dentists": 0, "orthodontists": 0, "smile": 0}
    SPELLING = 64

    def __init__(self) -> None:
        self.calls = 0

    @property
    def dim(self) -> int:
        return 1 + self.SPELLING

    def embed(self, texts: list[str]) -> list[list[float]]:
        self.calls += 1
        return [self._one(t) for t in texts]

    def _one(self, text: str) -> list[float]:
        import zlib

        v = [0.0] * self.dim
        for word in text.lower().replace(",", " ").split():
            if word in self.CONCEPTS:
                v[self.CONCEPTS[word]] += 1.0
        padded = f" {text.lower()} "
        for i in range(len(padded) - 2):
            v[1 + zlib.crc32(padded[i : i + 3].encode()) % self.SPELLING] += 0.1
        norm = sum(x * x for x in v) ** 0.5
        return [x / norm for x in v]


def test_a_host_embedder_places_a_merchant_no_table_names() -> None:
    model = ConceptEmbedder()
    e = xspense.Engine(embedder=model)
    assert e.warm_semantic() > 8000
    assert model.calls > 1, "the merchant base is embedded in batches"
    tx = {"tenant": "a", "descriptor": "SUNRISE SMILE STUDIO 4411", "amount": "90", "date": "2026-01-01"}
    c = e.explain(tx)
    assert c.category == "medical.dental"
    assert any(s.stage == "semantic" and "Dentists" in s.detail for s in c.trace)
    assert xspense.Engine().explain(tx).category != "medical.dental"
    assert xspense.Engine().warm_semantic() == 0


class BrokenEmbedder(ConceptEmbedder):
    def embed(self, texts: list[str]) -> list[list[float]]:
        raise ConnectionError("model server offline")


class ShortEmbedder(ConceptEmbedder):
    def embed(self, texts: list[str]) -> list[list[float]]:
        return [[0.5, 0.5]] * len(texts)


def test_a_failing_host_embedder_is_raised_by_the_call() -> None:
    tx = {"tenant": "a", "descriptor": "SUNRISE SMILE STUDIO", "amount": "90", "date": "2026-01-01"}
    for model, message in [(BrokenEmbedder(), "model server offline"), (ShortEmbedder(), "2 numbers")]:
        with pytest.raises(xspense.InternalError, match=message):
            xspense.Engine(embedder=model).categorize(tx)
        with pytest.raises(xspense.InternalError, match=message):
            xspense.Engine(embedder=model).warm_semantic()
    with pytest.raises(xspense.InvalidInputError, match="embedder.dim"):
        xspense.Engine(embedder=object())  # type: ignore[arg-type]


class FlakyEmbedder(ConceptEmbedder):
    """Fails while ``down`` is set."""

    down = True

    def embed(self, texts: list[str]) -> list[list[float]]:
        if self.down:
            raise ConnectionError("model server offline")
        return super().embed(texts)


def test_a_merchant_base_that_failed_is_embedded_again_once_the_model_is_back() -> None:
    model = FlakyEmbedder()
    e = xspense.Engine(embedder=model)
    with pytest.raises(xspense.InternalError, match="model server offline"):
        e.warm_semantic()
    model.down = False
    assert e.warm_semantic() > 8000
    tx = {"tenant": "a", "descriptor": "SUNRISE SMILE STUDIO 4411", "amount": "90", "date": "2026-01-01"}
    assert e.explain(tx).category == "medical.dental"
