"""What the page says about a run is said once: a lesson's claims agree with the runs'
explanations, and every sentence a changed view keeps is still true and stands on its own."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from optviz.lessons import NOT_THE_TABLES_DISTANCE, Evidence, fmt
from optviz.presets import PRESETS, lesson_for
from optviz.state import State
from optviz.ui.compute import compute_runs

# Words that lean on a sentence the changed view may have dropped
LEANS_ON = re.compile(r"^(Still|So|Also|Then|But|However|And|This|That|These|There|Here|Farther|It|They)\b")
DANGLING = re.compile(r"\b(that cap|too[,.]|there:|now converges|the same (lr|λ)(?! =))")
# What a claim says of a run's stop, and how that run's explanation must say it
SAME_STEP = (
    (re.compile(r"converges at step (\d+)"), "Converged at step {}"),
    (re.compile(r"diverges at step (\d+)"), "Diverged at step {}"),
    (re.compile(r"leaves the map at step (\d+)"), "left the map at step {}"),
)


def with_first_lr(state: State, factor: float) -> State:
    run = state.runs[0]
    lr = dict(run.hyperparameters)["lr"]
    hyperparameters = tuple((k, min(v * factor, 10.0) if k == "lr" else v) for k, v in run.hyperparameters)
    assert lr != dict(hyperparameters)["lr"]
    return replace(state, runs=(replace(run, hyperparameters=hyperparameters), *state.runs[1:]))


def views(key: str):
    state = PRESETS[key].build()
    yield "as built", state, True
    for factor in (10.0, 0.1):
        yield f"first run's lr × {factor:g}", with_first_lr(state, factor), False


def claims_said(state: State, computed) -> list[tuple[str, set[int]]]:
    """Each claim that holds on this view, with the runs it speaks of."""
    preset = PRESETS[state.lesson]
    said = []
    for claim in preset.claims:
        evidence = Evidence(
            state, computed.runs, computed.goals, preset.kinds, computed.minima, tuple(computed.verdicts)
        )
        _, runs = claim.read(evidence)
        assert runs <= set(claim.about), f"{claim.name!r} speaks of runs {runs} but declares verdicts for {claim.about}"
        sentence = claim.judge(evidence)
        if sentence:
            said.append((sentence, runs))
    return said


@pytest.mark.parametrize("key", list(PRESETS))
def test_no_claim_contradicts_the_explanation_of_a_run_it_speaks_of(key):
    for variant, state, unchanged in views(key):
        computed = compute_runs(state)
        for sentence, runs in claims_said(state, computed):
            for pattern, wording in SAME_STEP:
                for step in pattern.findall(sentence):
                    explained = [computed.explanations[i] for i in runs]
                    assert any(wording.format(step) in text for text in explained), (
                        f"{key} ({variant}): the lesson says {sentence!r}, the table says {explained}"
                    )
        told = lesson_for(state, computed.runs, computed.goals, computed.minima, computed.verdicts, unchanged)
        assert told is not None


@pytest.mark.parametrize("key", list(PRESETS))
def test_every_sentence_a_changed_view_keeps_stands_on_its_own(key):
    for variant, state, _ in views(key):
        computed = compute_runs(state)
        told = lesson_for(state, computed.runs, computed.goals, computed.minima, computed.verdicts, False)
        for sentence in told.sentences:
            assert not LEANS_ON.match(sentence), f"{key} ({variant}): {sentence!r} leans on a sentence before it"
            assert not DANGLING.search(sentence), f"{key} ({variant}): {sentence!r} refers to what may be gone"


def test_a_claim_that_speaks_of_a_run_declares_the_verdicts_it_agrees_with():
    """The AdaGrad lesson said RMSprop 'keeps its pace' while its explanation said it was crawling."""
    state = PRESETS["adagrad_memory"].build()
    computed = compute_runs(state)
    told = " ".join(
        lesson_for(state, computed.runs, computed.goals, computed.minima, computed.verdicts, True).sentences
    )
    rmsprop = computed.explanations[1]
    assert "crawling" not in rmsprop and "Converged" in rmsprop and "RMSprop" in told
    claim = PRESETS["adagrad_memory"].claims[-1]
    evidence = Evidence(
        state, computed.runs, computed.goals, PRESETS["adagrad_memory"].kinds, computed.minima, ("crawling", "crawling")
    )
    assert claim.judge(evidence) is None, "a claim is not said while its run is explained otherwise"
    agreed = replace(evidence, verdicts=tuple(computed.verdicts))
    assert claim.judge(agreed)
    assert replace(claim, about={}).judge(agreed) is None, "a run the claim declares nothing for is not spoken of"


def test_the_saddle_lesson_with_a_fast_gd_does_not_say_gd_leaves_last():
    state = PRESETS["saddle_escape"].build()
    fast = with_first_lr(state, 25.0)  # GD at lr = 0.5
    computed = compute_runs(fast)
    told = lesson_for(fast, computed.runs, computed.goals, computed.minima, computed.verdicts, False)
    gd_leaves = computed.runs[0].first_outside(fast.surface_spec)
    assert gd_leaves < min(t.first_outside(fast.surface_spec) for t in computed.runs[1:])
    assert not any("GD only at step" in s for s in told.sentences)


def test_the_ravine_lesson_at_another_condition_number_defines_its_cap():
    state = PRESETS["momentum_ravine"].build()
    steeper = replace(state, surface_params=(("condition_number", 80.0),))
    computed = compute_runs(steeper)
    told = lesson_for(steeper, computed.runs, computed.goals, computed.minima, computed.verdicts, False)
    assert told.sentences and not any("that cap" in s for s in told.sentences)
    assert any("2/L, L the steepest curvature: here ≈" in s for s in told.sentences if "GD" in s)


def test_a_coordinate_at_rounding_distance_from_zero_reads_0():
    """The ravine's GD ended at y = 1.58e-30, which the table printed as such."""
    state = PRESETS["momentum_ravine"].build()
    gd = compute_runs(state).explanations[0]
    assert "e-" not in gd.split(" with loss")[0] and ", 0)" in gd, gd


@pytest.mark.parametrize("key", list(PRESETS))
def test_a_lesson_quoting_an_average_distance_says_the_table_gives_the_last_steps(key):
    """The mini-batch lesson quoted 0.119 for B = 10 where the table said 0.0928: both true, of
    different things (the mean over the last 100 steps, the last step's distance)."""
    state = PRESETS[key].build()
    computed = compute_runs(state)
    told = lesson_for(state, computed.runs, computed.goals, computed.minima, computed.verdicts, True)
    for sentence in told.sentences:
        if "on average" in sentence:
            assert NOT_THE_TABLES_DISTANCE in sentence, f"{key}: {sentence!r}"


def test_the_minibatch_lesson_quotes_averages_that_differ_from_the_tables_last_distances():
    state = PRESETS["minibatch_noise"].build()
    computed = compute_runs(state)
    told = " ".join(
        lesson_for(state, computed.runs, computed.goals, computed.minima, computed.verdicts, True).sentences
    )
    evidence = Evidence(
        state,
        computed.runs,
        computed.goals,
        PRESETS["minibatch_noise"].kinds,
        computed.minima,
        tuple(computed.verdicts),
    )
    for i in (1, 2, 3):
        average, last = fmt(evidence.jitter(i)), fmt(evidence.distance(i))
        assert average != last and f"{average} (B = " in told
        assert f"{last} from the nearest minimum" in computed.explanations[i]
    assert NOT_THE_TABLES_DISTANCE in told
