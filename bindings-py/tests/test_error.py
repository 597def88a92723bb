"""Every core error code is a Python exception class with that code."""

from __future__ import annotations

import xspense


def test_one_subclass_per_code() -> None:
    classes = {
        getattr(xspense, name).code: getattr(xspense, name)
        for name in dir(xspense)
        if name.endswith("Error") and name != "XspenseError"
    }
    assert sorted(classes) == sorted(xspense.ERROR_CODES)
    assert len(xspense.ERROR_CODES) == 19
    for code, cls in classes.items():
        assert issubclass(cls, xspense.XspenseError) and cls.code == code


def test_raised_errors_carry_code_and_message() -> None:
    try:
        xspense.Engine().remove_rule("acme", "nope")
    except xspense.XspenseError as e:
        assert isinstance(e, xspense.NotFoundError)
        assert e.code == "not_found"
        assert str(e) == "rule not found: nope"
    else:  # pragma: no cover
        raise AssertionError("no error")
