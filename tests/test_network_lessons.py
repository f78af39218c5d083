"""Every sentence a network lesson says is true of the runs on screen: each preset's claims hold
as built and with other data seeds, an edited view keeps only sentences that still hold, and
every sentence is re-checked here against the trained runs, computed independently of
``optviz.netlessons``' own predicates."""

from __future__ import annotations

import functools
import re
from dataclasses import replace

import numpy as np
import pytest

from optviz.netlessons import DEFAULT_NET_PRESET, NET_PRESETS, NetEvidence, fmt, is_unchanged_preset, lesson_sentences
from optviz.netstate import RUN_FIELDS, NetState
from optviz.network.sharpness import sharpness, sharpness_along
from optviz.network.train import MAX_RUNS, train_runs

FROM_SUPERSCRIPT = str.maketrans("⁻⁰¹²³⁴⁵⁶⁷⁸⁹", "-0123456789")
LR = next(f.param for f in RUN_FIELDS if f.name == "lr")


@functools.cache
def computed(state: NetState):
    """What the page computes for a view: every run trained, and each run's sharpness along it."""
    results = train_runs(state.setup(), state.net_runs(), record_every=state.record_every())
    return results, [sharpness_along(r) for r in results]


def evidence_for(state: NetState) -> NetEvidence:
    results, sharp = computed(state)
    return NetEvidence(state, results, sharp)


# --- each claim's sentence checked against the runs, without the module's predicates -----------


def runs_named(claim) -> list[int]:
    return [int(n) - 1 for n in re.findall(r"run (\d+)", claim.name)]


def final(e: NetEvidence, i: int) -> tuple[float, float]:
    r = e.results[i]
    return r.train_loss[r.final_step], r.validation_loss[r.final_step]


def check_overfits(e, runs, sentence):
    (i,) = runs
    r = e.results[i]
    end = r.final_step
    best = int(np.argmin(r.validation_loss[: end + 1]))
    assert f"lowest validation loss, {fmt(r.validation_loss[best])}, at step {best}." in sentence
    assert f"to {fmt(r.validation_loss[end])} at step {end}" in sentence
    assert r.validation_loss[end] > r.validation_loss[best] and r.train_loss[end] < r.train_loss[best]
    if "validation accuracy changes far less" in sentence:
        n = len(r.data.y_validation)
        wrong = [round(n * (1 - r.validation_accuracy[t])) for t in (best, end)]
        assert f"({wrong[0]}, then {wrong[1]} of the {n} validation points wrong)" in sentence
        assert r.validation_loss[end] / r.validation_loss[best] >= 2 * wrong[1] / wrong[0]
        # the rise it quotes is the one a reader gets from the two losses it prints
        shown = [float(fmt(r.validation_loss[t]).replace("×10", "e").translate(FROM_SUPERSCRIPT)) for t in (best, end)]
        assert f"validation loss grows {fmt(shown[1] / shown[0])}×" in sentence


def check_gap(e, runs, sentence):
    regularised, plain = runs
    (train_r, val_r), (train_p, val_p) = final(e, regularised), final(e, plain)
    assert f"loss is {fmt(val_r - train_r)}, against {fmt(val_p - train_p)} without it." in sentence
    assert 0 < val_r - train_r < val_p - train_p and val_r < val_p
    assert "validation points better" not in sentence  # a lower loss, not necessarily more right answers
    acc_r, acc_p = (e.results[i].validation_accuracy[e.results[i].final_step] for i in (regularised, plain))
    said_acc = re.search(
        r"(\d+\.?\d*)% of the validation points correctly, against (\d+\.?\d*)%", sentence
    ) or re.search(r"correctly as well, (\d+\.?\d*)% against (\d+\.?\d*)%", sentence)
    assert said_acc and (float(said_acc[1]), float(said_acc[2])) == pytest.approx((100 * acc_r, 100 * acc_p), abs=0.05)
    assert ("does not mean more right answers" in sentence) == (acc_r < acc_p)
    low_r, low_p = (e.results[i].validation_loss.min() for i in (regularised, plain))
    assert ("Early stopping without it does better still" in sentence) == (low_p < low_r)
    assert f"{fmt(low_p)}" in sentence and f"{fmt(low_r)}" in sentence
    with_it, without = e.state.runs[regularised], e.state.runs[plain]
    assert (with_it.kind, with_it.lr, with_it.batch) == (without.kind, without.lr, without.batch)


def rises_and_median_change(e, i):
    r = e.results[i]
    losses = r.train_loss[r.final_step // 10 : r.final_step + 1]
    return np.mean(np.diff(losses) > 0), np.median(np.abs(np.diff(losses)))


def check_jitters(e, runs, sentence):
    sgd, gd = runs
    (rises_s, change_s), (rises_g, change_g) = rises_and_median_change(e, sgd), rises_and_median_change(e, gd)
    assert e.state.runs[gd].batch_size == 0 < e.state.runs[sgd].batch_size
    assert rises_s > rises_g and change_s > change_g
    assert fmt(change_s) in sentence and fmt(change_g) in sentence


def check_smaller_batch(e, runs, sentence):
    small, large = runs
    assert e.state.runs[small].batch_size < e.state.runs[large].batch_size
    change_small, change_large = rises_and_median_change(e, small)[1], rises_and_median_change(e, large)[1]
    assert change_small > change_large and f"{fmt(change_small)} from one step" in sentence


def check_cheaper(e, runs, sentence):
    sgd, gd = runs
    loss_s, loss_g = final(e, sgd)[0], final(e, gd)[0]
    assert e.state.runs[sgd].batch_size < len(e.results[0].data.y_train) and e.state.runs[gd].batch_size == 0
    assert loss_s <= 1.5 * loss_g and f"{fmt(loss_s)}, is close to the full batch's {fmt(loss_g)}" in sentence


def check_diverges(e, runs, sentence):
    (i,) = runs
    o = e.results[i].outcome
    assert o.kind == "diverged" and f"at step {o.step} " in sentence
    assert not np.isfinite(e.results[i].weights[-1]).all()


def start_sharpness(e, i) -> float:
    r = e.results[i]
    return sharpness(r, r.weights[0])  # the common start's weights, recomputed


def check_above_edge(e, runs, sentence):
    (i,) = runs
    s0 = start_sharpness(e, i)
    assert e.state.runs[i].lr > 2 / s0 and fmt(s0) in sentence and e.results[i].outcome.kind == "diverged"


def check_below_edge(e, runs, sentence):
    (i,) = runs
    s0, r = start_sharpness(e, i), e.results[i]
    assert e.state.runs[i].lr < 2 / s0 and r.outcome.kind != "diverged"
    assert (
        r.train_loss[-1] < r.train_loss[0]
        and f"to {fmt(r.train_loss[-1])} in {len(r.train_loss) - 1} steps" in sentence
    )


def first_at_90(r) -> int | None:
    hits = [t for t, a in enumerate(r.train_accuracy) if a >= 0.9]
    return hits[0] if hits else None


def check_reaches(e, runs, sentence):
    (i,) = runs
    assert f"correctly at step {first_at_90(e.results[i])}," in sentence


def check_outpaces(e, runs, sentence):
    fast, slow = runs
    assert first_at_90(e.results[slow]) is None
    assert f"does at step {first_at_90(e.results[fast])}." in sentence


def quoted(sentence: str, after: str, after_text: str = "") -> float:
    """The number after ``after`` (its first occurrence past ``after_text``, if given)."""
    rest = sentence[sentence.index(after_text) + len(after_text) :] if after_text else sentence
    return float(re.search(re.escape(after) + r" ([-0-9.]+)", rest).group(1))


def check_sharpens(e, runs, sentence):
    (i,) = runs
    edge = 2 / e.state.runs[i].lr
    steps, values = e.sharpness[i]
    reached = quoted(sentence, "until the sharpness measures")
    step = int(quoted(sentence, "of 2/lr, at step"))
    assert values[0] < edge / 2 and reached >= 0.85 * edge
    assert fmt(values[list(steps).index(step)]) == fmt(reached)


def check_hovers(e, runs, sentence):
    (i,) = runs
    edge = 2 / e.state.runs[i].lr
    start, end = int(quoted(sentence, "From step")), int(quoted(sentence, "to step"))
    steps, values = e.sharpness[i]
    window = values[(steps >= start) & (steps <= end)]
    assert abs(np.median(window) / edge - 1) <= 0.1 and fmt(np.median(window)) in sentence
    assert end - start >= 0.3 * e.state.steps
    top, top_step = (
        quoted(sentence, "its highest measurement there is"),
        int(quoted(sentence, f"{fmt(window.max())}, at step")),
    )
    assert (
        fmt(window.max()) == fmt(top) and window.max() > edge and fmt(values[list(steps).index(top_step)]) == fmt(top)
    )
    losses = e.results[i].train_loss
    jump = re.search(r"jumps from [-0-9.×⁻⁰¹²³⁴⁵⁶⁷⁸⁹]+ at step (\d+) to [-0-9.×⁻⁰¹²³⁴⁵⁶⁷⁸⁹]+ at step (\d+)", sentence)
    calm, spike = int(jump[1]), int(jump[2])
    assert start <= calm < spike <= end and losses[spike] >= 1.5 * losses[calm] and losses[end] < losses[spike]
    assert f"jumps from {fmt(losses[calm])} at step {calm} to {fmt(losses[spike])} at step {spike}" in sentence


def check_flatter(e, runs, sentence):
    large, small = runs
    late = []
    for i in (large, small):
        steps, values = e.sharpness[i]
        late.append(np.median(values[steps >= e.results[i].final_step / 2]))
    assert e.state.runs[large].lr > e.state.runs[small].lr and late[0] < late[1]
    assert f"median sharpness is {fmt(late[0])}, against {fmt(late[1])}" in sentence
    steps, values = e.sharpness[large]
    edge = 2 / e.state.runs[large].lr
    assert steps[0] == 0 and 0.8 * edge <= values[0] <= edge and late[0] <= edge
    assert f"the sharpness at the start, {fmt(values[0])}, is already" in sentence


CHECKS = {
    "validation loss turns up": check_overfits,
    "closes": check_gap,
    "training loss jitters": check_jitters,
    "smaller batch jitters more": check_smaller_batch,
    "fraction of the work": check_cheaper,
    "diverges": check_diverges,
    "above 2/sharpness": check_above_edge,
    "below 2/sharpness": check_below_edge,
    "training accuracy": check_reaches,
    "never does": check_outpaces,
    "rises to 2/lr": check_sharpens,
    "hovers at 2/lr": check_hovers,
    "ends flatter": check_flatter,
}


def check(claim, evidence: NetEvidence, sentence: str) -> None:
    (key,) = [k for k in CHECKS if k in claim.name]
    CHECKS[key](evidence, runs_named(claim), sentence)


def said(state: NetState) -> list[tuple[object, str]]:
    """Each claim of the state's preset that speaks, with its sentence, every one re-checked."""
    e = evidence_for(state)
    spoken = [(claim, claim.says(e)) for claim in NET_PRESETS[state.preset].claims]
    for claim, sentence in spoken:
        if sentence:
            check(claim, e, sentence)
    return spoken


# --- the presets ----------------------------------------------------------------------------


def test_every_claim_has_an_independent_check_and_every_preset_is_well_formed():
    assert DEFAULT_NET_PRESET in NET_PRESETS
    for key, preset in NET_PRESETS.items():
        state = preset.build()
        assert state.preset == key and 1 <= len(state.runs) <= MAX_RUNS and is_unchanged_preset(state)
        assert preset.build_state().preset == "" and not is_unchanged_preset(preset.build_state())
        for claim in preset.claims:
            assert sum(k in claim.name for k in CHECKS) == 1, claim.name
            assert all(i < len(state.runs) for i in runs_named(claim)), claim.name


@pytest.mark.parametrize("key", list(NET_PRESETS))
def test_every_claim_of_every_preset_holds_as_built(key):
    preset = NET_PRESETS[key]
    state = preset.build()
    spoken = said(state)
    failed = [claim.name for claim, sentence in spoken if not sentence]
    assert not failed, f"preset {key!r}: these claims do not hold: {failed}"
    results, sharp = computed(state)
    assert lesson_sentences(state, results, sharp) == [preset.intro] + [s for _, s in spoken]
    for sentence in lesson_sentences(state, results, sharp):
        # each reads on its own: an edited view keeps only some of them
        assert not re.match(r"(Still|Also|Too|But|That|This|Then)\b", sentence) and not re.search(
            r"\btoo\s*[.,;:]", sentence
        ), sentence


@pytest.mark.parametrize("seed", [1, 2])
@pytest.mark.parametrize("key", list(NET_PRESETS))
def test_every_claim_holds_with_other_data_seeds(key, seed):
    state = replace(NET_PRESETS[key].build(), seed=seed)
    failed = [claim.name for claim, sentence in said(state) if not sentence]
    assert not failed, f"preset {key!r} with seed {seed}: these claims do not hold: {failed}"


def scaled_first_lr(state: NetState, factor: float) -> NetState:
    first = state.runs[0]
    lr = min(max(first.lr * factor, LR.low), LR.high)
    return replace(state, runs=(replace(first, lr=lr),) + state.runs[1:])


EDITS = {
    "first lr x10": lambda s: scaled_first_lr(s, 10.0),
    "first lr /10": lambda s: scaled_first_lr(s, 0.1),
    "first run removed": lambda s: replace(s, runs=s.runs[1:]),  # every preset has two runs or more
}


@pytest.mark.parametrize("edit", list(EDITS))
@pytest.mark.parametrize("key", list(NET_PRESETS))
def test_an_edited_view_says_only_sentences_that_hold(key, edit):
    preset = NET_PRESETS[key]
    state = EDITS[edit](preset.build())
    assert not is_unchanged_preset(state)
    spoken = said(state)  # never raises; each sentence said is re-checked against the runs
    results, sharp = computed(state)
    told = lesson_sentences(state, results, sharp)
    assert preset.intro not in told and told == [s for _, s in spoken if s]


def test_removing_the_regularised_run_drops_the_gap_and_keeps_the_overfitting():
    state = NET_PRESETS["overfitting"].build()
    told = lesson_sentences(replace(state, runs=state.runs[:1]), *computed(replace(state, runs=state.runs[:1])))
    assert len(told) == 1 and "turns up" in told[0]


def test_a_tenfold_smaller_lr_no_longer_diverges_and_is_not_told_it_does():
    state = NET_PRESETS["lr_too_high"].build()
    calmer = replace(state, runs=(state.runs[0], replace(state.runs[1], lr=state.runs[1].lr / 10)))
    told = lesson_sentences(calmer, *computed(calmer))
    assert not any("diverge" in s for s in told)
    assert any("trains: its training loss falls" in s for s in told)


def test_a_run_of_another_kind_silences_the_claims_about_it():
    state = NET_PRESETS["minibatch"].build()
    edited = replace(state, runs=(replace(state.runs[0], kind="adam"),) + state.runs[1:])
    told = lesson_sentences(edited, *computed(edited))
    assert not any(re.search(r"\bGD\b", s) for s in told) and any("The smaller the batch" in s for s in told)


def test_a_regularised_run_that_no_longer_differs_in_one_setting_is_not_compared():
    state = NET_PRESETS["regularisation"].build()
    # run 2 now also has another lr: its gap is no longer L2's doing alone
    edited = replace(state, runs=(state.runs[0], replace(state.runs[1], lr=0.01), state.runs[2]))
    told = lesson_sentences(edited, *computed(edited))
    assert not any("L2 penalty" in s for s in told) and any("dropout p = 0.5" in s for s in told)


def test_numbers_keep_three_significant_figures_and_powers_of_ten_read_as_such():
    assert [fmt(v) for v in (1.004, 0.307, 4.0, 100.0, 4.48e12, 9.65e-05, 0.000163, 0.0)] == [
        "1.00",
        "0.307",
        "4.00",
        "100",
        "4.48×10¹²",
        "9.65×10⁻⁵",
        "0.000163",
        "0",
    ]


@pytest.mark.parametrize("key", list(NET_PRESETS))
def test_no_sentence_says_a_bare_number_format_or_a_legend_abbreviation(key):
    state = NET_PRESETS[key].build()
    for sentence in lesson_sentences(state, *computed(state)):
        assert not re.search(r"\de[+-]\d|\bB \d", sentence), sentence


def test_a_repeated_clause_is_short_and_sharpness_is_defined_once():
    state = NET_PRESETS["edge_of_stability"].build()
    told = lesson_sentences(state, *computed(state))
    assert sum("largest eigenvalue" in s for s in told) == 1
    spirals = NET_PRESETS["spirals"].build()
    assert not any("with batches of 32 does at step" in s for s in lesson_sentences(spirals, *computed(spirals)))
    minibatch = NET_PRESETS["minibatch"].build()
    assert not any("of the steps, with a median change" in s for s in lesson_sentences(minibatch, *computed(minibatch)))
