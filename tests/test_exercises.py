"""Exercises: generated notebooks in sync, checkers that accept, reject and wait, solutions pass."""

from __future__ import annotations

import math
import re
from pathlib import Path

import nbformat
import numpy as np
import pytest

import cascadelab.course.checks as checks_mod
from cascadelab.course import build as course
from cascadelab.course.checks import CheckResult, check, exercise, list_exercises
from cascadelab.course.registry import Mistake, register
from cascadelab.engine import default_market, simulate
from cascadelab.mechanisms.hedging import DealerBook, bs_gamma
from cascadelab.mechanisms.margin import fee_adjusted_leverage
from cascadelab.tails import student_t_returns

ROOT = Path(__file__).resolve().parents[1]
SOLUTIONS = sorted((ROOT / "solutions").glob("*.ipynb"))
CHAPTERS = ("00_essence", "01_origin", "02_theory", "03_approach", "04_evolution", "05_horizon")
IDS = [i for i, _ in list_exercises()]
CHECK_CALL = re.compile(r"""check\(\s*["'](\d\d\.\d+)["']""")


def _ids_in(path: Path) -> list[str]:
    nb = nbformat.read(path, as_version=4)
    return [m for c in nb.cells if c.cell_type == "code" for m in CHECK_CALL.findall(c.source)]


# ---------------------------------------------------------------------------------------------
# generated exercises


def test_committed_exercises_match_a_fresh_build(tmp_path: Path) -> None:
    written = course.build_exercises(ROOT, out_dir=tmp_path)
    names = sorted(p.name for p in written)
    committed = sorted(p.name for p in (ROOT / "exercises").glob("*.ipynb"))
    assert names == committed, "exercises/ and solutions/ hold different notebooks"
    for p in written:
        fresh = p.read_bytes()
        assert (ROOT / "exercises" / p.name).read_bytes() == fresh, (
            f"exercises/{p.name} is stale: run `python -m cascadelab.course build-exercises`"
        )
    assert course.check_exercises(ROOT) == []


def test_build_is_deterministic(tmp_path: Path) -> None:
    a = course.build_exercises(ROOT, out_dir=tmp_path / "a")
    b = course.build_exercises(ROOT, out_dir=tmp_path / "b")
    for pa, pb in zip(a, b, strict=True):
        assert pa.read_bytes() == pb.read_bytes()


def test_check_exercises_cli_fails_on_a_stale_copy(tmp_path: Path) -> None:
    (tmp_path / "solutions").mkdir()
    src = SOLUTIONS[0]
    (tmp_path / "solutions" / src.name).write_bytes(src.read_bytes())
    assert course.main(["check-exercises", "--root", str(tmp_path)]) == 1  # missing
    assert course.main(["build-exercises", "--root", str(tmp_path)]) == 0
    assert course.main(["check-exercises", "--root", str(tmp_path)]) == 0
    stale = tmp_path / "exercises" / src.name
    stale.write_text(stale.read_text().replace("Exercise", "Exercize", 1))
    assert course.main(["check-exercises", "--root", str(tmp_path)]) == 1
    (tmp_path / "exercises" / "99_orphan.ipynb").write_text("{}")
    assert any("99_orphan" in p for p in course.check_exercises(tmp_path))


@pytest.mark.parametrize("path", SOLUTIONS, ids=lambda p: p.stem)
def test_notebooks_are_committed_clean(path: Path) -> None:
    for nb_path in (path, ROOT / "exercises" / path.name):
        nb = nbformat.read(nb_path, as_version=4)
        nbformat.validate(nb)
        for c in nb.cells:
            if c.cell_type == "code":
                assert c.outputs == [] and c.execution_count is None, f"{nb_path} has outputs"


@pytest.mark.parametrize("path", SOLUTIONS, ids=lambda p: p.stem)
def test_solution_notebook_structure(path: Path) -> None:
    assert path.stem in CHAPTERS
    ids = _ids_in(path)
    assert len(set(ids)) >= 3, f"{path.name} needs at least 3 exercises"
    assert all(i.startswith(path.stem[:2] + ".") for i in ids)
    text = path.read_text()
    assert text.count(course.BEGIN) == text.count(course.END) >= len(set(ids))
    assert text.count("<summary>Hint</summary>") >= len(set(ids))
    exercise_text = (ROOT / "exercises" / path.name).read_text()
    assert course.BEGIN not in exercise_text and course.END not in exercise_text
    assert _ids_in(ROOT / "exercises" / path.name) == ids


def test_every_registered_exercise_is_in_a_notebook() -> None:
    in_notebooks = {i for p in SOLUTIONS for i in _ids_in(p)}
    assert in_notebooks == set(IDS)


# ---------------------------------------------------------------------------------------------
# the generator's transformations


def _nb(*cells: nbformat.NotebookNode) -> nbformat.NotebookNode:
    return nbformat.v4.new_notebook(cells=list(cells))


def test_placeholders_keep_only_names_the_notebook_uses() -> None:
    code = nbformat.v4.new_code_cell
    nb = _nb(
        code("x = 2\n### BEGIN SOLUTION\nhelper = 3\nanswer = helper * x\n### END SOLUTION\n"
             "check('00.1', answer)"),
    )
    src = course.make_exercise(nb).cells[0].source
    assert "answer = None  # your code here" in src
    assert "helper" not in src and "3" not in src.replace("x = 2", "")
    assert src.startswith("x = 2\n") and src.endswith("check('00.1', answer)")


def test_function_stub_keeps_decorators_signature_and_docstring() -> None:
    code = nbformat.v4.new_code_cell
    nb = _nb(code('### BEGIN SOLUTION\n@njit(cache=False)\ndef f(a, b):\n    """Doc."""\n'
                  "    return a + b\n### END SOLUTION\ncheck('02.4', f)"))
    src = course.make_exercise(nb).cells[0].source
    assert '@njit(cache=False)\ndef f(a, b):\n    """Doc."""\n' in src
    assert "return None" in src and "a + b" not in src


def test_indented_block_becomes_return_none() -> None:
    code = nbformat.v4.new_code_cell
    nb = _nb(code("def g(x):\n    ### BEGIN SOLUTION\n    return 2 * x\n    ### END SOLUTION\n"))
    src = course.make_exercise(nb).cells[0].source
    assert src == "def g(x):\n    return None  # your code here\n"
    ns: dict = {}
    exec(src, ns)
    assert ns["g"](1) is None


def test_solution_tagged_cells_are_removed_and_metadata_cleaned() -> None:
    md = nbformat.v4.new_markdown_cell
    code = nbformat.v4.new_code_cell
    c = code("print(1)", metadata={"tags": ["keep"], "scrolled": True}, execution_count=3)
    c.outputs = [nbformat.v4.new_output("stream", text="1\n")]
    nb = _nb(md("statement"), md("**Solution.** secret", metadata={"tags": ["solution"]}), c)
    out = course.make_exercise(nb)
    assert [x.source for x in out.cells] == ["statement", "print(1)"]
    assert out.cells[1].outputs == [] and out.cells[1].execution_count is None
    assert out.cells[1].metadata == {"tags": ["keep"]}


def test_unbalanced_markers_are_an_error() -> None:
    code = nbformat.v4.new_code_cell
    with pytest.raises(course.SolutionMarkerError, match="never closed"):
        course.make_exercise(_nb(code("### BEGIN SOLUTION\nx = 1")))
    with pytest.raises(course.SolutionMarkerError, match="without"):
        course.make_exercise(_nb(code("x = 1\n### END SOLUTION")))


# ---------------------------------------------------------------------------------------------
# checkers: right, blank and wrong answers


def _right(ex_id: str):
    return exercise(ex_id).reference()


_KW = {"01.2": {"n": 1_000_000}}


@pytest.mark.parametrize("ex_id", IDS)
def test_checker_accepts_the_reference(ex_id: str, capsys: pytest.CaptureFixture) -> None:
    res = check(ex_id, _right(ex_id), **_KW.get(ex_id, {}))
    assert isinstance(res, CheckResult)
    assert res.passed and res.attempted and bool(res)
    out = capsys.readouterr().out
    assert out.startswith(f"✓ {ex_id} ") and "tolerance" in out


@pytest.mark.parametrize("ex_id", IDS)
@pytest.mark.parametrize("blank", [None, ...], ids=["None", "Ellipsis"])
def test_checker_waits_for_a_blank_answer(ex_id: str, blank, capsys) -> None:
    res = check(ex_id, blank)
    assert not res.passed and not res.attempted
    assert "not attempted yet" in res.message
    assert capsys.readouterr().out.startswith(f"· {ex_id} ")


@pytest.mark.parametrize("ex_id", IDS)
def test_checker_rejects_each_registered_mistake(ex_id: str) -> None:
    ex = exercise(ex_id)
    for m in ex.mistakes:
        if m.value is None:
            continue
        res = check(ex_id, m.value, quiet=True) if ex.kind == "function" else check(
            ex_id, m.value(), quiet=True, **_KW.get(ex_id, {})
        )
        assert not res.passed and res.attempted
        assert res.message == m.message, (ex_id, m.message)


@pytest.mark.parametrize("ex_id", [i for i in IDS if exercise(i).kind != "function"])
def test_checker_flags_percent_and_sign(ex_id: str) -> None:
    right = np.asarray(_right(ex_id), dtype=float)
    kw = _KW.get(ex_id, {})
    as_percent = check(ex_id, right * 100, quiet=True, **kw)
    assert not as_percent.passed
    assert "factor of 100" in as_percent.message or "USD" in as_percent.message
    flipped = check(ex_id, -right, quiet=True, **kw)
    assert not flipped.passed
    assert "sign" in flipped.message
    for msg in (as_percent.message, flipped.message):  # never the answer itself
        for v in right.ravel():
            shown = f"{v:.4g}"
            if len(shown.lstrip("-0.")) >= 3:  # short numbers like 1 or 5 occur in any text
                assert shown not in msg


@pytest.mark.parametrize("ex_id", IDS)
def test_checker_survives_nonsense(ex_id: str) -> None:
    for junk in ("twelve", [1, 2], {"a": 1}, float("nan")):
        res = check(ex_id, junk, quiet=True)
        assert not res.passed and res.message


def test_number_messages_name_the_mistake() -> None:
    assert "bankruptcy" in check("00.1", 1_900.0, quiet=True).message
    assert "today's price" in check("00.1", 1_950.0 * 0.95 / 0.995, quiet=True).message
    assert "short" in check("00.1", 2_000.0 * 1.05 / 1.005, quiet=True).message
    assert "entry" in check("00.2", 1 - 1_909.5477 / 2_000.0, quiet=True).message
    assert "first round" in check("00.3", 0.032, quiet=True).message
    assert "USD" in check("02.6", exercise("02.6").reference() * 100, quiet=True).message
    assert "critical depth" in check("02.1", 120_000.0, quiet=True).message
    far = check("02.2", 50.0, quiet=True)
    assert "too low" in far.message and "±0.001 USD" in far.message
    assert "close" in check("02.2", 96.9, quiet=True).message


def test_monte_carlo_tolerance_is_the_exercises_not_the_learners_n() -> None:
    p = exercise("01.2").reference()
    se = math.sqrt(p * (1 - p) / 1_000_000)  # the exercise's n
    assert check("01.2", p + 3 * se, n=1_000_000, quiet=True).passed
    assert not check("01.2", p + 6 * se, n=1_000_000, quiet=True).passed
    for answer in (p + 3 * se, p + 6 * se, 6.3e-5, 0.0):
        verdicts = {check("01.2", answer, quiet=True, **kw).passed
                    for kw in ({}, {"n": 10}, {"n": 100}, {"n": 10_000}, {"n": 10**7})}
        assert len(verdicts) == 1, answer  # n changes the advice, never the verdict


def test_monte_carlo_checker_diagnoses_the_typical_mistakes() -> None:
    # Issue 14 item 7: a Gaussian 6.3e-5 with n=10 and 0.0 with n=100 were both "correct", and
    # the Gaussian answer with the right n was "off by a factor of 100".
    typed = check("01.2", 6.3e-5, n=10, quiet=True)
    assert not typed.passed
    assert "Gaussian" in typed.message and "n = 1,000,000" in typed.message
    none = check("01.2", 0.0, n=100, quiet=True)
    assert not none.passed and "no draw" in none.message and "n = 100" in none.message
    n = 1_000_000
    gauss = float(np.mean(np.abs(np.random.default_rng(1).standard_normal(n)) > 4.0))
    res = check("01.2", gauss, n=n, quiet=True)
    assert not res.passed and "Gaussian" in res.message and "factor of 100" not in res.message
    assert "You passed" not in res.message  # the right n earns no advice about n
    raw = student_t_returns(n, sigma=1.0, nu=3.0, seed=1) * math.sqrt(3.0)  # not rescaled
    assert "rescale" in check("01.2", float(np.mean(np.abs(raw) > 4.0)), n=n, quiet=True).message
    r = student_t_returns(n, sigma=1.0, nu=3.0, seed=1)
    assert "one tail" in check("01.2", float(np.mean(r > 4.0)), n=n, quiet=True).message
    assert check("01.2", float(np.mean(np.abs(r) > 4.0)), n=n, quiet=True).passed
    assert "pass n" in check("01.2", 0.5, n="many", quiet=True).message


def test_theory_gap_checker_names_the_first_order_approximation() -> None:
    gap, penalty = 0.10, 0.01
    msg = check("02.3", 1.0 / (gap + penalty), quiet=True).message
    assert "approximation" in msg and "J * pi" in msg and "penalty at entry" not in msg
    assert "1/(J + pi)" in msg  # the gap is J, as in chapter 02 and docs/notation.md


def test_power_impact_checker_speaks_the_chapters_notation() -> None:
    ex = exercise("02.4")
    assert "g = 1" in ex.hint and "delta" not in ex.hint  # the exponent is g, as in the task


def test_toxic_frontier_checker_diagnoses_the_typical_mistakes() -> None:
    from cascadelab.chapters.theory import liquidation_spiral, toxic_frontier

    bonus = 0.075  # the exercise quotes 7.5%
    right = exercise("02.7").reference()
    assert right == toxic_frontier(bonus)
    # the closed form is where one call of the bookkeeping loop stops lowering the LTV
    for ltv, worse in ((right * (1 - 1e-6), False), (right * (1 + 1e-6), True)):
        one = liquidation_spiral(ltv, bonus, threshold=0.0, max_rounds=1)
        assert bool(one.ltv[1] > one.ltv[0]) is worse
    assert check("02.7", right, quiet=True).passed
    assert check("02.7", np.float32(right), quiet=True).passed  # float32 is within 0.01%
    said = {
        "flipped sign": check("02.7", 1 / (1 - bonus), quiet=True).message,
        "percent": check("02.7", 1 / (1 + 7.5), quiet=True).message,
        "both": check("02.7", 1 / (1 - 7.5), quiet=True).message,
        "inverted": check("02.7", 1 + bonus, quiet=True).message,
        "inverted, percent": check("02.7", 1 + 7.5, quiet=True).message,
        "first order": check("02.7", 1 - bonus, quiet=True).message,
        "one minus": check("02.7", bonus / (1 + bonus), quiet=True).message,
        "answer in percent": check("02.7", 100 * right, quiet=True).message,
    }
    assert "1/(1 - pi)" in said["flipped sign"] and "(1 + pi) x" in said["flipped sign"]
    assert "percent" in said["percent"] and "fraction" in said["percent"]
    assert "percent" in said["both"] and "sign" in said["both"]
    assert "collateral over debt" in said["inverted"] and "percent" not in said["inverted"]
    assert "collateral over debt" in said["inverted, percent"] and "percent" in said[
        "inverted, percent"]
    assert "first-order" in said["first order"]
    assert "1 - LTV" in said["one minus"]
    assert "factor of 100" in said["answer in percent"]
    for msg in said.values():  # a diagnosis, never the answer
        assert f"{right:.4g}" not in msg and f"{100 * right:.3g}" not in msg
    assert not check("02.7", right * 1.001, quiet=True).passed  # 0.1% off is outside 0.01%


def test_approach_checkers_diagnose_percent_and_the_puts() -> None:
    fee_pct = 3.0 * 0.5 * math.sqrt(10.0)  # sigma typed as 0.5 instead of 0.005
    by_hand = check("03.3", 1.0 / (1.0 / 20.0 + fee_pct), quiet=True).message
    with_package = check("03.3", float(fee_adjusted_leverage(20.0, fee_pct)), quiet=True).message
    for msg in (by_hand, with_package):
        assert "factor of 100" in msg and "0.005" in msg and "too low" not in msg
    assert "percent" in check("03.3", 0.5, quiet=True).message
    dealer = DealerBook.straddle(100.0, -2e6, 500, vol=0.005)
    atm = -dealer.gamma(100.0) / bs_gamma(100.0, 100.0, 500.0, 0.005)
    assert math.isclose(atm, 4e6, rel_tol=1e-12)  # at the money = as many as were sold
    for answer in (atm, 4e6):
        msg = check("03.2", answer, quiet=True).message
        assert "as many options as the dealer sold" in msg and "at the money" in msg
    assert "one leg" in check("03.2", 2e6, quiet=True).message
    for near in (3.9e6, 4.1e6, 4.3e6):  # only the at-the-money value gets that diagnosis
        assert "at the money" not in check("03.2", near, quiet=True).message


def test_calibration_checker_diagnoses_the_typical_mistakes() -> None:
    from cascadelab import Book, cascade, sample_positions
    from cascadelab.chapters.origin import replay_events

    market = sample_positions(20_000, 100.0, leverage=10.0, max_leverage=50.0, seed=0)

    def fall(s: float) -> float:
        return -cascade(market, 100.0, s, Book(200_000.0)).move

    def bisect(lo: float, hi: float, tol: float, keep_wrong_half: bool = False) -> float:
        while hi - lo > tol:
            mid = 0.5 * (lo + hi)
            if (fall(mid) < 0.31) != keep_wrong_half:
                lo = mid
            else:
                hi = mid
        return hi

    right = exercise("01.5").reference()
    may = replay_events()[1]  # the chapter's May 2021 replay, central setting
    assert may.event.observed_fall == 0.31
    assert right[0] == may.calibrated_shock and right[1] == may.cascade_share
    for lo, hi, tol in ((0.0, 0.31, 1e-5), (0.01, 0.5, 1e-4), (0.2, 0.3, 1e-8)):
        s = bisect(lo, hi, tol)
        assert check("01.5", [s, 1 - s / fall(s)], quiet=True).passed
        assert check("01.5", (np.float32(s), np.float32(1 - s / fall(s))), quiet=True).passed
    s = float(right[0])
    said = {
        "overshoot": check("01.5", [0.31, 1 - 0.31 / fall(0.31)], quiet=True).message,
        "exogenous share": check("01.5", [s, s / fall(s)], quiet=True).message,
        "over the shock": check("01.5", [s, fall(s) / s - 1], quiet=True).message,
        "upside down": check("01.5", [s, 1 - fall(s) / s], quiet=True).message,
        "points": check("01.5", [s, fall(s) - s], quiet=True).message,
        "no bracket": check("01.5", [b := bisect(0.005, 0.2, 1e-5), 1 - b / fall(b)],
                            quiet=True).message,
        "wrong half": check("01.5", [b := bisect(0.0, 0.31, 1e-5, True), 1 - b / fall(b)],
                            quiet=True).message,
        "percent shock": check("01.5", [100 * s, right[1]], quiet=True).message,
        "loose": check("01.5", [s - 4e-3, 1 - (s - 4e-3) / fall(s - 4e-3)], quiet=True).message,
        "share": check("01.5", [s, 0.30], quiet=True).message,
    }
    assert "fed the observed fall in as the shock" in said["overshoot"]
    assert "on its own" in said["exogenous share"]
    assert "divides" in said["over the shock"] and "F(s)" in said["over the shock"]
    assert "upside down" in said["upside down"]
    assert "percentage points" in said["points"]
    for key in ("no bracket", "wrong half"):
        assert "does not reproduce" in said[key] and "straddles" in said[key]
    assert "fraction between 0 and 1" in said["percent shock"]
    assert "close" in said["loose"] and "1e-4" in said["loose"]
    assert "does not follow" in said["share"]
    assert "factor of 100" in check("01.5", 100 * right, quiet=True).message
    swapped = check("01.5", right[::-1], quiet=True).message
    # the right entries are close to each other: the swapped pair also reads as a shock a little
    # off the target, and the checker says both
    assert "reverse order" in swapped and "Or, in this order: close" in swapped
    for msg in said.values():  # a diagnosis, never the answer
        assert f"{right[0]:.3g}" not in msg and f"{right[1]:.3g}" not in msg
        assert f"{100 * right[0]:.3g}" not in msg and f"{100 * right[1]:.3g}" not in msg


SHORTS = {  # exercise 03.5: six shorts at a mark of 80 USD
    "entry": np.array([108.0, 88.0, 78.0, 82.0, 122.0, 102.0]),
    "leverage": np.array([4.0, 6.0, 12.0, 5.0, 2.0, 8.0]),
    "size": np.array([15.0, 45.0, 35.0, 45.0, 50.0, 15.0]),
}


def test_adl_queue_checker_diagnoses_the_typical_mistakes() -> None:
    from cascadelab import Positions
    from cascadelab.mechanisms.adl import adl_rank, adl_ranking

    mark, e, lev, q = 80.0, SHORTS["entry"], SHORTS["leverage"], SHORTS["size"]
    bankrupt = e * (1 + 1 / lev)
    pnl = (e - mark) / e
    eff = mark / (bankrupt - mark)
    won = np.flatnonzero(pnl > 0)

    def by(score, who=won):
        return who[np.argsort(-score[who], kind="stable")]

    right = by(pnl * eff)
    shorts = Positions(np.full(6, -1, dtype=np.int8), q, e, lev, 0.005)
    assert np.array_equal(right, adl_ranking(shorts, -1, mark)[0])  # the engine's queue
    assert np.allclose(pnl * eff, [adl_rank(-1, e[i], bankrupt[i], mark) if pnl[i] > 0 else
                                   pnl[i] * eff[i] for i in range(6)])
    assert np.array_equal(exercise("03.5").reference(), right)
    for answer in (right, right.tolist(), right.astype(np.int32), tuple(right)):
        assert check("03.5", answer, quiet=True).passed
    everyone = np.arange(6)
    orders = [right, by(pnl), by(eff), by(lev), by(pnl * lev), by(q * (e - mark))]
    assert len({tuple(o) for o in orders}) == len(orders)  # each mistake is told apart
    said = {
        "PnL": check("03.5", by(pnl), quiet=True).message,
        "leverage": check("03.5", by(eff), quiet=True).message,
        "entry leverage": check("03.5", by(lev), quiet=True).message,
        "nominal product": check("03.5", by(pnl * lev), quiet=True).message,
        "USD": check("03.5", by(q * (e - mark)), quiet=True).message,
        "losers": check("03.5", by(pnl * eff, everyone), quiet=True).message,
        "losers, PnL": check("03.5", by(pnl, everyone), quiet=True).message,
        "losers, leverage": check("03.5", by(eff, everyone), quiet=True).message,
        "from 1": check("03.5", right + 1, quiet=True).message,
        "lowest first": check("03.5", right[::-1], quiet=True).message,
    }
    assert "PnL% alone" in said["PnL"] and "times" in said["PnL"]
    assert "effective leverage alone" in said["leverage"]
    assert "at entry alone" in said["entry leverage"]
    assert "close" in said["nominal product"] and "effective" in said["nominal product"]
    assert "USD" in said["USD"]
    assert "only profitable" in said["losers"]
    assert "PnL% alone" in said["losers, PnL"] and "losing" in said["losers, PnL"]
    assert "effective leverage alone" in said["losers, leverage"]
    assert "losing" in said["losers, leverage"]
    assert "numbered from 1" in said["from 1"]
    assert "reverse order" in said["lowest first"]


def test_adl_units_checker_and_the_engine_agree_on_the_rule() -> None:
    from cascadelab import Positions, Scenario, simulate

    q, b, f, fund = 100.0, 83.0, 80.0, 120.0  # exercise 03.6
    s = q * (b - f) - fund
    assert exercise("03.6").reference() == s / (b - f)
    said = {
        "no fund": check("03.6", q, quiet=True).message,
        "at the fill": check("03.6", s / f, quiet=True).message,
        "at b": check("03.6", s / b, quiet=True).message,
        "both": check("03.6", q * (b - f) / f, quiet=True).message,
        "fund added": check("03.6", (q * (b - f) + fund) / (b - f), quiet=True).message,
        "fund's part": check("03.6", fund / (b - f), quiet=True).message,
    }
    assert "no insurance fund" in said["no fund"]
    assert "fill price" in said["at the fill"] and "gap" in said["at the fill"]
    assert "at the bankruptcy price" in said["at b"]
    assert "two slips" in said["both"]
    assert "subtract" in said["fund added"]
    assert "fund's part" in said["fund's part"]
    # the engine's ADL closes exactly S / (b - f) units per step: longs at 40x all go bankrupt,
    # so the units-weighted gap b - f of a step is its bad debt over its liquidated units
    n = 20
    side = np.r_[np.ones(n, np.int8), -np.ones(6, np.int8)]
    pos = Positions(side, np.r_[np.full(n, 5.0), SHORTS["size"]],
                    np.r_[np.full(n, 100.0), SHORTS["entry"]],
                    np.r_[np.full(n, 40.0), SHORTS["leverage"]], 0.005)
    sc = Scenario(loss_rule="adl", insurance_fund=50.0, shock=0.2, sigma=0.0, depth=2_000.0,
                  penalty=0.0)
    res = simulate(pos, sc, steps=20)
    steps = np.flatnonzero(res.adl_units > 0)
    assert steps.size >= 1 and res.fund_draw[steps[0]] > 0  # the fund paid first
    gap = res.bad_debt[steps] / res.liquidated_units[steps]
    np.testing.assert_allclose(res.adl_units[steps],
                               (res.bad_debt[steps] - res.fund_draw[steps]) / gap, rtol=1e-12)


def test_amm_checkers_diagnose_the_typical_mistakes() -> None:
    from cascadelab import manipulation_cost
    from cascadelab.mechanisms.oracle_network import amm_equivalent_depth, amm_push_cost

    y = np.array([1e6, 1e7, 1e8])
    m = -0.10
    r = math.sqrt(1 + m)
    right = y * (1 - r) ** 2 / r
    assert np.allclose(exercise("04.5").reference(), right, rtol=1e-12, atol=0)
    assert np.allclose([amm_push_cost(m, v) for v in y], right, rtol=1e-12, atol=0)
    # the cost is the value at p of the units sold less the USD received, by the reserves
    x = y / 100.0
    assert np.allclose(100.0 * (x / r - x) - (y - y * r), right, rtol=1e-12, atol=0)
    said = {
        "no square": check("04.5", y * (1 / r - 1), quiet=True).message,
        "received": check("04.5", y * (1 - r), quiet=True).message,
        "no root": check("04.5", y * m**2 / (1 + m), quiet=True).message,
        "small move": check("04.5", y * m**2 / 4, quiet=True).message,
        "linear": check("04.5", y * abs(m), quiet=True).message,
        "linear, half": check("04.5", y * abs(m) / 2, quiet=True).message,
        "no quarter": check("04.5", y * m**2, quiet=True).message,
        "no division": check("04.5", y * (1 - r) ** 2, quiet=True).message,
        "r for 1 - r": check("04.5", y * r, quiet=True).message,
        "units": check("04.5", x * (1 - r) ** 2 / r, quiet=True).message,
        "both sides": check("04.5", 2 * right, quiet=True).message,
        "up": check("04.5", y * (1 - math.sqrt(1 - m)) ** 2 / math.sqrt(1 - m),
                    quiet=True).message,
    }
    assert "square" in said["no square"] and "receives" in said["no square"]
    assert "received" in said["received"]
    assert "square root" in said["no root"]
    assert "small-move approximation" in said["small move"]
    for key in ("linear", "linear, half"):
        assert "linear in the move" in said[key] and "*square*" in said[key]
    assert "four times" in said["no quarter"]
    assert "division by r" in said["no division"]
    assert "r in place of 1 - r" in said["r for 1 - r"]
    assert "asset reserve" in said["units"] and "factor of 100" in said["units"]
    assert "twice" in said["both sides"]
    assert "*up*" in said["up"]
    assert len(set(said.values())) == len(said)

    d = amm_equivalent_depth(1e7)
    ratio = manipulation_cost(m, d, n=7) / amm_push_cost(m, 1e7)
    assert ratio == pytest.approx(exercise("04.6").reference(), rel=1e-12)
    pool = amm_push_cost(m, 1e7)
    said = {
        "all seven": check("04.6", manipulation_cost(m, d, n=1) * 7 / pool, quiet=True).message,
        "three": check("04.6", manipulation_cost(m, d, n=1) * 3 / pool, quiet=True).message,
        "3.5": check("04.6", manipulation_cost(m, d, n=1) * 3.5 / pool, quiet=True).message,
        "like for like": check("04.6", 4.0, quiet=True).message,
        "upside down": check("04.6", 1 / ratio, quiet=True).message,
        "asset reserve": check("04.6", manipulation_cost(m, 1e7 / 100, n=7) / pool,
                               quiet=True).message,
        "twice the depth": check("04.6", manipulation_cost(m, 1e7 / 100 / 100, n=7) / pool,
                                 quiet=True).message,
    }
    assert "majority, four" in said["all seven"]
    assert "not a majority" in said["three"]
    assert "whole number" in said["3.5"]
    assert "number of venues" in said["like for like"]
    assert "upside down" in said["upside down"]
    assert "units per 1%" in said["asset reserve"]
    assert "twice the equivalent depth" in said["twice the depth"]
    for msg in said.values():
        assert f"{ratio:.3g}" not in msg


FEEDS = np.array([100.4, 99.7, 100.1, 99.2, 100.9, 99.9, 100.3])


def _attack(replace) -> np.ndarray:
    """Lowest medians when the attacker zeroes the feeds ``replace(k)`` picks, k = 0..3."""
    out = []
    for k in range(4):
        reports = FEEDS.copy()
        reports[list(replace(k))] = 0.0
        out.append(float(np.median(reports)))
    return np.array(out)


def test_median_oracle_checker_accepts_any_real_dtype() -> None:
    right = _attack(lambda k: np.argsort(FEEDS)[FEEDS.size - k:])
    assert check("04.1", right, quiet=True).passed
    for answer in (right.astype(np.float32), right.astype(np.float16),
                   list(right.astype(np.float32)), right.tolist()):
        res = check("04.1", answer, quiet=True)
        assert res.passed, (type(answer), res.message)
    assert "float32" in check("04.1", right.astype(np.float32), quiet=True).message
    off = right.astype(np.float32)
    off[2] = np.float32(99.9)  # a wrong entry stays wrong in float32
    assert not check("04.1", off, quiet=True).passed
    assert "complex" in check("04.1", right.astype(complex), quiet=True).message
    assert check("02.6", np.float32(exercise("02.6").reference()), quiet=True).passed


def test_median_oracle_checker_says_the_wrong_feeds_were_replaced() -> None:
    lowest = check("04.1", _attack(lambda k: np.argsort(FEEDS)[:k]), quiet=True).message
    assert "honest median" in lowest and "must replace honest ones" not in lowest
    first = _attack(lambda k: range(k))  # the first k feeds in the list, not the highest
    msg = check("04.1", first, quiet=True).message
    assert "wrong feeds" in msg
    # any readings at or above the median will do; one below it is wasted
    assert check("04.1", _attack(lambda k: np.argsort(FEEDS)[3:3 + k]), quiet=True).passed
    wasted = _attack(lambda k: np.argsort(FEEDS)[2:2 + k])
    assert "wrong feeds" in check("04.1", wasted, quiet=True).message


def test_waterfall_checker_tells_units_rows_and_percent_apart() -> None:
    right = exercise("04.2").reference()
    losses = np.array([[16.0], [30.0]])
    messages = {
        "USD": check("04.2", right * 1e6, quiet=True).message,
        "rows": check("04.2", right[::-1], quiet=True).message,
        "percent": check("04.2", 100.0 * right / losses, quiet=True).message,
    }
    assert len(set(messages.values())) == 3, messages
    assert "USD millions" in messages["USD"] and "in USD" in messages["USD"]
    assert "rows are swapped" in messages["rows"]
    assert "percent of its row's loss" in messages["percent"]
    assert all("add up" not in m for m in messages.values())
    assert "share" in check("04.2", right / losses, quiet=True).message


def test_late_oracle_checker_units_zero_and_ratio() -> None:
    pos, sc = default_market()
    sc = sc.replace(resilience=0.0)
    prompt = simulate(pos, sc).total_bad_debt
    late = simulate(pos, sc.replace(oracle_latency=5)).total_bad_debt
    extra = late - prompt
    assert check("04.4", extra, quiet=True).passed
    for millions in (round(extra / 1e6, 3), round(extra / 1e6, 4)):
        msg = check("04.4", millions, quiet=True).message
        assert "USD millions" in msg and "ratio" not in msg
    zero = check("04.4", 0.0, quiet=True).message
    assert "0 USD" in zero and "never computed" in zero and "ratio" not in zero
    for ratio in (late / prompt, late / prompt - 1.0):
        assert "ratio" in check("04.4", round(ratio, 3), quiet=True).message
    resilient = default_market()[1]
    other = (simulate(pos, resilient.replace(oracle_latency=5)).total_bad_debt
             - simulate(pos, resilient).total_bad_debt)
    assert "resilience=0.0" in check("04.4", other, quiet=True).message


def test_array_messages() -> None:
    right = exercise("00.5").reference()
    assert "reverse order" in check("00.5", right[::-1], quiet=True).message
    assert "shape" in check("00.5", right[:3], quiet=True).message
    off = right.copy()
    off[2] += 1.0
    msg = check("00.5", off, quiet=True).message
    assert "1 of 4 entries" in msg and "index 2" in msg
    assert "add up" in check("04.2", np.zeros((2, 5)), quiet=True).message


def test_function_checker_messages() -> None:
    def raises(liq, side, size, price):
        raise ZeroDivisionError("boom")

    res = check("00.4", raises, quiet=True)
    assert not res.passed and res.attempted and "ZeroDivisionError" in res.message
    assert "expected a function" in check("00.4", 3.0, quiet=True).message

    def strings(liq, side, size, price):
        return "many"

    assert "should return a number" in check("00.4", strings, quiet=True).message

    def off_by_one(liq, side, size, price):
        return float(size[(side > 0) & (liq >= price)].sum()) + 1.0

    msg = check("00.4", off_by_one, quiet=True).message
    assert "wrong on" in msg and "too high" in msg


def test_function_checker_wants_numba_only_where_asked() -> None:
    ref = exercise("02.4").expected
    assert "@njit" in check("02.4", ref, quiet=True).message
    assert "@njit" not in check("00.4", exercise("00.4").expected, quiet=True).message


def test_registry_rejects_duplicates_and_unknown_ids() -> None:
    with pytest.raises(ValueError, match="already registered"):
        register("00.1", "again", "number", lambda: 1.0)
    with pytest.raises(ValueError, match=r"id must be a string such as '02\.1'"):
        register("1.1", "badly named", "number", lambda: 1.0)
    with pytest.raises(ValueError, match=r"no exercise '77\.7': an id is a string such as '02\.1'"):
        check("77.7", 1.0)
    assert isinstance(Mistake(lambda: 1.0, "m"), Mistake)


@pytest.mark.parametrize("bad_id", [["00.1"], ("00.1",), 0.1, None, {"00.1"}])
def test_a_malformed_id_gets_a_clean_type_error(bad_id) -> None:
    # Issue 11 item 10: check(["00.1"], 1.0) raised "TypeError: unhashable type".
    with pytest.raises(TypeError, match=r"exercise_id must be a string such as '02\.1'") as err:
        check(bad_id, 1.0)
    assert repr(bad_id) in str(err.value) and "unhashable" not in str(err.value)
    if isinstance(bad_id, (list, tuple)):
        assert "check('00.1', answer)" in str(err.value)


def test_an_unknown_keyword_is_named() -> None:
    with pytest.raises(TypeError, match=r"n=5.*exercise 00\.1 takes no extra keyword"):
        check("00.1", 1.0, n=5)
    with pytest.raises(TypeError, match=r"draws=10.*takes n="):
        check("01.2", 0.006, draws=10)


def test_a_learner_function_that_exits_does_not_escape_check() -> None:
    import sys

    def exits(liq, side, size, price):
        sys.exit(3)

    def exits_quietly(liq, side, size, price):
        raise SystemExit

    for fn in (exits, exits_quietly):
        res = check("00.4", fn, quiet=True)
        assert not res.passed and res.attempted and "sys.exit()" in res.message

    class Broken(Exception):
        def __str__(self) -> str:
            raise RuntimeError("no text either")

    def raises_broken(liq, side, size, price):
        raise Broken

    res = check("00.4", raises_broken, quiet=True)
    assert not res.passed and "Broken" in res.message


class _Hostile:
    """An answer whose conversion to an array runs learner code that misbehaves."""

    def __init__(self, error: BaseException) -> None:
        self.error = error

    def __array__(self, dtype=None, copy=None):
        raise self.error

    def __len__(self) -> int:
        raise self.error


@pytest.mark.parametrize("error", [SystemExit(1), ValueError("bad"), ZeroDivisionError()])
def test_an_answer_whose_own_code_fails_does_not_escape_check(error) -> None:
    for ex_id in ("00.5", "04.2", "00.1"):
        res = check(ex_id, _Hostile(error), quiet=True)
        assert not res.passed and res.attempted and res.message


def test_keyboard_interrupt_still_stops_the_cell() -> None:
    def interrupted(liq, side, size, price):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        check("00.4", interrupted, quiet=True)
    with pytest.raises(KeyboardInterrupt):
        check("00.5", _Hostile(KeyboardInterrupt()), quiet=True)


def test_a_mistake_can_carry_its_own_tolerance() -> None:
    gauss = next(m for m in exercise("01.2").mistakes if "Gaussian" in m.message)
    assert gauss.atol is not None and gauss.atol < exercise("01.2").atol


# ---------------------------------------------------------------------------------------------
# notebooks run in-process: every check passes in solutions/, none is attempted in exercises/


def _run(path: Path, monkeypatch: pytest.MonkeyPatch) -> list[CheckResult]:
    results: list[CheckResult] = []
    real = checks_mod.check

    def recording(*args, **kwargs):
        res = real(*args, **kwargs)
        results.append(res)
        return res

    monkeypatch.setattr(checks_mod, "check", recording)
    nb = nbformat.read(path, as_version=4)
    ns: dict = {"__name__": "__main__"}
    for c in nb.cells:
        if c.cell_type == "code":
            exec(compile(c.source, f"{path.name}", "exec"), ns)
    return results


@pytest.mark.parametrize("path", SOLUTIONS, ids=lambda p: p.stem)
def test_every_check_passes_in_the_solutions(path: Path, monkeypatch) -> None:
    results = _run(path, monkeypatch)
    assert [r.exercise for r in results] == _ids_in(path)
    failed = [str(r) for r in results if not r.passed]
    assert not failed, failed


@pytest.mark.parametrize("path", SOLUTIONS, ids=lambda p: p.stem)
def test_exercise_notebooks_run_clean_and_unattempted(path: Path, monkeypatch) -> None:
    results = _run(ROOT / "exercises" / path.name, monkeypatch)
    assert [r.exercise for r in results] == _ids_in(path)
    assert all(not r.attempted for r in results), [str(r) for r in results if r.attempted]
