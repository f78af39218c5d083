"""The network page's lessons, as claims the engine checks (issue 20, item 7).

A ``NetClaim`` is a sentence with the predicate that justifies it: ``says(evidence)`` returns
the sentence, its numbers filled in from the trained runs (and their sharpness), when the
predicate holds, else None.  A lesson is the preset's intro (only while the view is the
unchanged preset) and then each claim that holds, so a caption cannot contradict its curves,
and after an edit the same claims re-judge the new runs.  Each sentence reads on its own (no
"Still,", "too" or "that run"): an edited view keeps only some of them.

A claim about run i speaks only while run i exists and is of the kind the preset gave it, and
a comparison only while its runs still differ in the one setting it is about.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

from optviz.catalogue import Catalogue
from optviz.kinds import KINDS
from optviz.lessons import NotApplicable
from optviz.netstate import NetRunChoice, NetState
from optviz.network.data import CATALOGUE as DATASETS
from optviz.network.data import draw
from optviz.network.model import network
from optviz.network.train import TrainResult

SUPERSCRIPTS = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def as_shown(value: float) -> float:
    """``value`` as ``fmt`` prints it: a ratio of two printed numbers is then the one a reader works out."""
    return float(f"{value:.3g}")


def fmt(value: float) -> str:
    """A number to 3 significant figures that keeps its trailing zeros ("1.00", not "1"), very
    large or small ones as a power of ten ("4.48×10¹²", not "4.48e+12"); 0 as "0"."""
    if value == 0:
        return "0"
    text = f"{value:#.3g}"
    if "e" in text:
        mantissa, exponent = text.split("e")
        return f"{mantissa.rstrip('.')}×10{str(int(exponent)).translate(SUPERSCRIPTS)}"
    return text.rstrip(".")


def percent(share: float) -> str:
    """A share as a percentage with 3 significant figures ("75.0%", "100%", "0%")."""
    return f"{fmt(100 * share)}%"


@dataclass
class NetEvidence:
    """The trained runs of a view, read the way claims talk about them.

    ``sharpness[r]`` is ``sharpness_along(results[r])``: (steps, top Hessian eigenvalue).
    ``kinds`` are the run kinds the lesson was written for (by default its preset's): a claim
    about run i applies only while run i is still of that kind.
    """

    state: NetState
    results: list[TrainResult]
    sharpness: list[tuple[np.ndarray, np.ndarray]]
    kinds: tuple[str, ...] | None = None

    def __post_init__(self):
        if self.kinds is None and self.state.preset in NET_PRESETS:
            self.kinds = NET_PRESETS[self.state.preset].kinds

    def run(self, i: int) -> TrainResult:
        if not i < min(len(self.results), len(self.state.runs)):
            raise NotApplicable(i)
        if self.kinds is not None and (i >= len(self.kinds) or self.state.runs[i].kind != self.kinds[i]):
            raise NotApplicable(i)
        return self.results[i]

    def choice(self, i: int) -> NetRunChoice:
        self.run(i)
        return self.state.runs[i]

    def trained(self, i: int) -> TrainResult:
        """Run i, which must not have diverged (a claim about how it trains needs all its steps)."""
        result = self.run(i)
        if result.outcome.kind == "diverged":
            raise NotApplicable(i)
        return result

    def lr(self, i: int) -> float:
        return self.choice(i).lr

    def full_batch(self, i: int) -> bool:
        return self.choice(i).batch_size == 0

    def sharpness_of(self, i: int) -> tuple[np.ndarray, np.ndarray]:
        self.run(i)
        if i >= len(self.sharpness) or not len(self.sharpness[i][0]):
            raise NotApplicable(i)
        steps, values = self.sharpness[i]
        return np.asarray(steps), np.asarray(values)

    def training_points(self) -> int:
        return len(self.results[0].data.y_train) if self.results else 0

    def short(self, i: int) -> str:
        """Run i by its kind and lr alone ("Adam at lr 0.01"): for a run a sentence only mentions."""
        c = self.choice(i)
        return f"{KINDS[c.kind].label} at lr {c.lr:g}"

    def describe(self, i: int) -> str:
        """Run i in words, from its settings: "Adam at lr 0.003 with an L2 penalty λ₂ = 0.02"."""
        c = self.choice(i)
        words = f"{KINDS[c.kind].label} at lr {c.lr:g}"
        extras = []
        if c.batch_size:
            extras.append(f"batches of {c.batch_size}")
        if c.l1:
            extras.append(f"an L1 penalty λ₁ = {c.l1:g}")
        if c.l2:
            extras.append(f"an L2 penalty λ₂ = {c.l2:g}")
        if c.dropout:
            extras.append(f"dropout p = {c.dropout:g}")
        if c.weight_decay:
            extras.append(f"weight decay {c.weight_decay:g}")
        if c.schedule != "constant":
            extras.append(f"the {c.schedule} lr schedule")
        return words + (" with " + " and ".join(extras) if extras else "")


@dataclass(frozen=True)
class NetClaim:
    """``name`` says what is claimed (for tests and reviews); ``write`` returns the sentence
    when its predicate holds, else a falsy value, and may raise NotApplicable."""

    name: str
    write: Callable[[NetEvidence], str | None]

    def says(self, evidence: NetEvidence) -> str | None:
        try:
            return self.write(evidence) or None
        except NotApplicable:
            return None


# --- overfitting, early stopping and regularisation ------------------------------------------

OVERFIT_RISE = 1.5  # the final validation loss is at least this many times its best: it clearly turned up
OVERFIT_FALL = 0.5  # and the training loss ended at most this share of its value at the best step
CONFIDENCE_RISE = 2.0  # "confidence, not mistakes": the loss grows at least this many times more than the mistakes


def _wrong(r: TrainResult, step: int) -> int:
    """How many validation points run r classifies wrongly at ``step``."""
    return round(len(r.data.y_validation) * (1 - r.validation_accuracy[step]))


def _overfits(e: NetEvidence, i: int) -> str | None:
    r = e.trained(i)
    end, best = r.final_step, r.best_validation_step
    val_best, val_end = r.validation_loss[best], r.validation_loss[end]
    train_best, train_end = r.train_loss[best], r.train_loss[end]
    kept_falling = train_end <= OVERFIT_FALL * train_best and np.all(r.train_loss[best + 1 : end + 1] < train_best)
    if not (0 < best < end and val_end >= OVERFIT_RISE * val_best and kept_falling):
        return None
    sentence = (
        f"{e.describe(i)} has its lowest validation loss, {fmt(val_best)}, at step {best}. "
        f"After that the validation loss turns up, to {fmt(val_end)} at step {end}, while the training loss "
        f"keeps falling, from {fmt(train_best)} to {fmt(train_end)}: the network is learning the noise of its "
        f"training points (overfitting). Early stopping at step {best} would keep the network whose validation "
        "loss is lowest."
    )
    wrong_best, wrong_end = _wrong(r, best), _wrong(r, end)
    if (
        r.data.dataset.classifies
        and 0 < wrong_best <= wrong_end
        and val_end / val_best >= CONFIDENCE_RISE * (wrong_end / wrong_best)
    ):
        sentence += (
            f" Its validation accuracy changes far less meanwhile, from {percent(r.validation_accuracy[best])} to "
            f"{percent(r.validation_accuracy[end])} ({wrong_best}, then {wrong_end} of the "
            f"{len(r.data.y_validation)} validation points wrong), while its validation loss grows "
            f"{fmt(as_shown(val_end) / as_shown(val_best))}×: most of that rise is the network growing more "
            "confident, in its wrong answers as well, not making more mistakes."
        )
    return sentence


def overfits(i: int) -> NetClaim:
    return NetClaim(
        f"run {i + 1}: validation loss turns up while training loss keeps falling", lambda e: _overfits(e, i)
    )


GAP_SHARE = 0.7  # a regulariser "shrinks the gap" only if it cuts it by at least 30 %
REGULARISERS = {
    "l2": "which pulls every weight towards 0",
    "dropout": "which switches each hidden unit off at random while training",
}


def _unregularised(c: NetRunChoice) -> bool:
    return not (c.l1 or c.l2 or c.dropout or c.weight_decay)


def _closes_gap(e: NetEvidence, regularised: int, plain: int, setting: str) -> str | None:
    with_it, without = e.choice(regularised), e.choice(plain)
    # the same training but for the one setting: otherwise the comparison is not about it
    if not (_unregularised(without) and getattr(with_it, setting) > 0):
        return None
    if replace(with_it, **{setting: getattr(without, setting)}) != without:
        return None
    r, p = e.trained(regularised), e.trained(plain)
    end = r.final_step
    train_r, val_r = r.train_loss[end], r.validation_loss[end]
    train_p, val_p = p.train_loss[p.final_step], p.validation_loss[p.final_step]
    gap_r, gap_p = val_r - train_r, val_p - train_p
    if not (gap_p > 0 and gap_r <= GAP_SHARE * gap_p and val_r < val_p and train_r > train_p and end == p.final_step):
        return None
    sentence = (
        f"{e.describe(regularised)}, {REGULARISERS[setting]}, fits its training points less closely: at step "
        f"{end} its training loss is {fmt(train_r)} against {fmt(train_p)} without it. Its validation loss is "
        f"lower, {fmt(val_r)} against {fmt(val_p)}, and the gap between validation and training loss is "
        f"{fmt(gap_r)}, against {fmt(gap_p)} without it."
    )
    if r.data.dataset.classifies:
        acc_r, acc_p = r.validation_accuracy[end], p.validation_accuracy[end]
        if acc_r < acc_p:
            sentence += (
                f" A lower validation loss does not mean more right answers: it classifies {percent(acc_r)} of the "
                f"validation points correctly, against {percent(acc_p)} without it. Its loss is lower because its "
                "predictions are less over-confident, its wrong ones included."
            )
        elif acc_r > acc_p:
            sentence += (
                f" It classifies more validation points correctly as well, {percent(acc_r)} against "
                f"{percent(acc_p)} without it."
            )
        else:
            sentence += f" Both classify {percent(acc_r)} of the validation points correctly."
    best_r, best_p = r.best_validation_step, p.best_validation_step
    low_r, low_p = r.validation_loss[best_r], p.validation_loss[best_p]
    if low_p < low_r:
        sentence += (
            f" Early stopping without it does better still: at step {best_p} the validation loss is "
            f"{fmt(low_p)}, below this run's lowest, {fmt(low_r)} (at step {best_r})."
        )
    elif low_r < low_p:
        sentence += (
            f" Its lowest validation loss, {fmt(low_r)} at step {best_r}, is below even the {fmt(low_p)} that "
            f"early stopping gets without it (at step {best_p})."
        )
    return sentence


def closes_gap(regularised: int, plain: int, setting: str) -> NetClaim:
    return NetClaim(
        f"run {regularised + 1}'s {setting} closes run {plain + 1}'s gap",
        lambda e: _closes_gap(e, regularised, plain, setting),
    )


# --- mini-batch noise ---------------------------------------------------------------------


def jitter(r: TrainResult) -> tuple[int, float, float]:
    """How much run r's training loss (on the whole training set) jitters, after its first
    tenth of steps (the first fast descent): the step it starts from, the share of steps
    at which the loss rose, and the median size of the loss's change from one step to the next."""
    start = r.final_step // 10
    change = np.diff(r.train_loss[start : r.final_step + 1])
    return start, float(np.mean(change > 0)), float(np.median(np.abs(change)))


NOISY_RISES = 0.25  # a noisy run's loss rises on at least this share of its steps (GD's: on almost none)
SMOOTH_RISES = 0.05
NOISE_RATIO = 5.0  # and its median step-to-step change is at least this many times GD's


def _jitters(e: NetEvidence, sgd: int, gd: int) -> str | None:
    if not (e.full_batch(gd) and not e.full_batch(sgd)):
        return None
    s, g = e.trained(sgd), e.trained(gd)
    start, rises_s, change_s = jitter(s)
    _, rises_g, change_g = jitter(g)
    if not (rises_s >= NOISY_RISES and rises_g <= SMOOTH_RISES and change_s >= NOISE_RATIO * change_g):
        return None
    batch = e.choice(sgd).batch_size
    return (
        f"{e.describe(sgd)} has a jittery training loss: measured on the whole training set after every "
        f"step from step {start} on, it rose on {percent(rises_s)} of the steps, and its median change from "
        f"one step to the next is {fmt(change_s)} ({e.short(gd)}: {percent(rises_g)} and {fmt(change_g)}). "
        f"Each SGD step follows the gradient of {batch} "
        f"random training points, not of all {e.training_points()}."
    )


def jitters(sgd: int, gd: int) -> NetClaim:
    return NetClaim(f"run {sgd + 1}'s training loss jitters, run {gd + 1}'s does not", lambda e: _jitters(e, sgd, gd))


SMALLER_BATCH_RATIO = 1.3  # the smaller batch's median step-to-step change is at least this many times the larger's


def _smaller_batch_noisier(e: NetEvidence, small: int, large: int) -> str | None:
    a, b = e.choice(small), e.choice(large)
    if not (0 < a.batch_size < b.batch_size and replace(a, batch=b.batch) == b):
        return None
    start, _, change_a = jitter(e.trained(small))
    _, _, change_b = jitter(e.trained(large))
    if not change_a >= SMALLER_BATCH_RATIO * change_b:
        return None
    return (
        f"The smaller the batch, the noisier the step: from step {start} on, the training loss of "
        f"{e.describe(small)} changes by a median {fmt(change_a)} from one step to the next, "
        f"{fmt(change_a / change_b)}× the {fmt(change_b)} of {e.describe(large)}, since the gradient of fewer "
        "points is a rougher estimate of the whole set's."
    )


def smaller_batch_noisier(small: int, large: int) -> NetClaim:
    return NetClaim(
        f"run {small + 1}'s smaller batch jitters more than run {large + 1}'s",
        lambda e: _smaller_batch_noisier(e, small, large),
    )


CLOSE_LOSS = 1.3  # "close to GD's": the final training loss at most this many times GD's


def _cheaper_and_close(e: NetEvidence, sgd: int, gd: int) -> str | None:
    if not (e.full_batch(gd) and not e.full_batch(sgd)):
        return None
    s, g = e.trained(sgd), e.trained(gd)
    loss_s, loss_g = s.train_loss[s.final_step], g.train_loss[g.final_step]
    batch, points = e.choice(sgd).batch_size, e.training_points()
    if not (batch < points and loss_s <= CLOSE_LOSS * loss_g and s.final_step == g.final_step):
        return None
    return (
        f"{e.describe(sgd)} computes each step's gradient on {batch} of the {points} training points, "
        f"{fmt(points / batch)}× less work than a step of {e.describe(gd)}, and after {s.final_step} steps its "
        f"training loss, {fmt(loss_s)}, is close to the full batch's {fmt(loss_g)}."
    )


def cheaper_and_close(sgd: int, gd: int) -> NetClaim:
    return NetClaim(
        f"run {sgd + 1} trains about as far as run {gd + 1} at a fraction of the work",
        lambda e: _cheaper_and_close(e, sgd, gd),
    )


# --- a learning rate too high ----------------------------------------------------------------

CLIMB = 10.0  # a diverging run's loss has grown at least this many times before it blew up
BEYOND = {"beyond_bound": "a weight passes 10⁶", "non_finite": "its loss is no longer a finite number"}


def _diverges(e: NetEvidence, i: int) -> str | None:
    r = e.run(i)
    if r.outcome.kind != "diverged" or r.final_step < 1:
        return None
    last = r.final_step
    losses = r.train_loss[: last + 1]
    rises = int(np.sum(np.diff(losses) > 0))
    if not losses[last] >= CLIMB * losses[0]:
        return None
    how_often = f"every one of those {last} steps" if rises == last else f"{rises} of those {last} steps"
    return (
        f"{e.describe(i)} diverges: its training loss climbs from {fmt(losses[0])} at the start to "
        f"{fmt(losses[last])} at step {last}, rising on {how_often}, and at step "
        f"{r.outcome.step} {BEYOND.get(r.outcome.reason, 'it leaves every landscape worth drawing')}."
    )


def diverges(i: int) -> NetClaim:
    return NetClaim(f"run {i + 1} diverges", lambda e: _diverges(e, i))


def _start_edge(e: NetEvidence, i: int) -> tuple[float, float]:
    """The sharpness at the common start and GD's stability edge 2/sharpness there."""
    steps, values = e.sharpness_of(i)
    if steps[0] != 0 or not values[0] > 0:
        raise NotApplicable(i)
    return float(values[0]), 2.0 / float(values[0])


def _above_start_edge(e: NetEvidence, i: int) -> str | None:
    if not (e.full_batch(i) and e.run(i).outcome.kind == "diverged"):
        return None
    sharpness, edge = _start_edge(e, i)
    if not e.lr(i) > edge:
        return None
    return (
        f"At the start the training loss's sharpness (the largest eigenvalue of its Hessian) is "
        f"{fmt(sharpness)}, so there, as on a quadratic bowl, full-batch gradient descent is stable only for "
        f"lr below 2/{fmt(sharpness)} ≈ {fmt(edge)}. {e.describe(i)} uses an lr {fmt(e.lr(i) / edge)}× that, "
        "and diverges."
    )


def above_start_edge(i: int) -> NetClaim:
    return NetClaim(f"run {i + 1}'s lr is above 2/sharpness at the start", lambda e: _above_start_edge(e, i))


TRAINED = 0.5  # a run "trains" when its training loss ends at most half of where it started


def _trains_below_edge(e: NetEvidence, i: int) -> str | None:
    if not e.full_batch(i):
        return None
    r = e.trained(i)
    sharpness, edge = _start_edge(e, i)
    start, end = r.train_loss[0], r.train_loss[r.final_step]
    if not (e.lr(i) < edge and end <= TRAINED * start):
        return None
    return (
        f"{e.describe(i)} stays below 2/sharpness at the start (2/{fmt(sharpness)} ≈ {fmt(edge)}) and trains: "
        f"its training loss falls from {fmt(start)} to {fmt(end)} in {r.final_step} steps."
    )


def trains_below_edge(i: int) -> NetClaim:
    return NetClaim(
        f"run {i + 1}'s lr is below 2/sharpness at the start and it trains", lambda e: _trains_below_edge(e, i)
    )


# --- Adam against SGD -----------------------------------------------------------------------

ACCURACY_GOAL = 0.9
GOAL = f"{100 * ACCURACY_GOAL:g}%"


def _first_at(r: TrainResult, accuracy: float) -> int | None:
    reached = np.flatnonzero(r.train_accuracy[: r.final_step + 1] >= accuracy)
    return int(reached[0]) if reached.size else None


def _reaches(e: NetEvidence, i: int) -> str | None:
    r = e.trained(i)
    step = _first_at(r, ACCURACY_GOAL)
    if step is None or not r.data.dataset.classifies:
        return None
    end = r.final_step
    return (
        f"{e.describe(i)} classifies {GOAL} of the training points correctly at step {step}, "
        f"and ends at step {end} with {percent(r.train_accuracy[end])} of the training points and "
        f"{percent(r.validation_accuracy[end])} of the validation points right."
    )


def reaches(i: int) -> NetClaim:
    return NetClaim(f"run {i + 1} reaches {GOAL} training accuracy", lambda e: _reaches(e, i))


def _outpaces(e: NetEvidence, fast: int, slow: int) -> str | None:
    f, s = e.trained(fast), e.run(slow)
    step = _first_at(f, ACCURACY_GOAL)
    if step is None or _first_at(s, ACCURACY_GOAL) is not None or not f.data.dataset.classifies:
        return None
    best = float(np.nanmax(s.train_accuracy[: s.final_step + 1]))
    return (
        f"{e.describe(slow)} never classifies {GOAL} of the training points correctly in its "
        f"{s.final_step} steps (its best is {percent(best)}), while {e.short(fast)} does at step {step}."
    )


def outpaces(fast: int, slow: int) -> NetClaim:
    return NetClaim(f"run {fast + 1} reaches the goal, run {slow + 1} never does", lambda e: _outpaces(e, fast, slow))


# --- the edge of stability ------------------------------------------------------------------

FAR_BELOW = 0.5  # the sharpness starts below this share of 2/lr
REACHED = 0.9  # "reaches 2/lr": first measured at this share of it or more
STILL_AT = 0.8  # the hovering window ends at the last measurement at this share or more
MEDIAN_NEAR = 0.1  # hovering: the window's median within 10 % of 2/lr
QUARTILES_NEAR = 0.25  # and its quartiles within 25 %
MIN_WINDOW = 8  # measurements, covering at least
MIN_WINDOW_SHARE = 0.3  # of the run's steps


def _edge(e: NetEvidence, i: int) -> float:
    if not e.full_batch(i):
        raise NotApplicable(i)  # 2/lr is the edge of full-batch gradient descent
    e.trained(i)
    return 2.0 / e.lr(i)


def _first_reach(e: NetEvidence, i: int) -> int | None:
    _, values = e.sharpness_of(i)
    reached = np.flatnonzero(values >= REACHED * _edge(e, i))
    return int(reached[0]) if reached.size else None


def _sharpens(e: NetEvidence, i: int) -> str | None:
    edge = _edge(e, i)
    steps, values = e.sharpness_of(i)
    first = _first_reach(e, i)
    if first is None or not (steps[0] == 0 and values[0] < FAR_BELOW * edge):
        return None
    return (
        f"{e.describe(i)} starts where the sharpness (the largest eigenvalue of the training loss's Hessian) is "
        f"{fmt(values[0])}, far below 2/lr = {edge:g}. Training sharpens the network until the sharpness "
        f"measures {fmt(values[first])}, within {100 * (1 - REACHED):g}% of 2/lr, at step {steps[first]}."
    )


def sharpens(i: int) -> NetClaim:
    return NetClaim(f"run {i + 1}'s sharpness rises to 2/lr", lambda e: _sharpens(e, i))


def hover_window(e: NetEvidence, i: int) -> tuple[int, int] | None:
    """The measurements (first, last) from the sharpness first reaching 2/lr to the last at
    which it is still near it (late in training it can fall below)."""
    first = _first_reach(e, i)
    if first is None:
        return None
    _, values = e.sharpness_of(i)
    last = int(np.flatnonzero(values >= STILL_AT * _edge(e, i))[-1])
    return first, last


LOSS_SPIKE = 1.5  # a loss spike: the training loss at least this many times its lowest so far in the window


def loss_spike(r: TrainResult, start: int, end: int) -> tuple[int, int]:
    """The steps (low, high) of the training loss's largest jump within steps start..end: from
    its lowest so far (at ``low``) to ``high``, where it stands the most times above it."""
    losses = r.train_loss[start : end + 1]
    high = int(np.argmax(losses / np.minimum.accumulate(losses)))
    return start + int(np.argmin(losses[: high + 1])), start + high


def _hovers(e: NetEvidence, i: int) -> str | None:
    edge, window = _edge(e, i), hover_window(e, i)
    if window is None:
        return None
    r = e.run(i)
    steps, values = e.sharpness_of(i)
    first, last = window
    held = values[first : last + 1]
    median, low, high = np.median(held), np.quantile(held, 0.25), np.quantile(held, 0.75)
    long_enough = len(held) >= MIN_WINDOW and steps[last] - steps[first] >= MIN_WINDOW_SHARE * r.final_step
    near = abs(median / edge - 1) <= MEDIAN_NEAR and edge * (1 - QUARTILES_NEAR) <= low <= high
    if not (long_enough and near and high <= edge * (1 + QUARTILES_NEAR)):
        return None
    top = first + int(np.argmax(held))
    calm, spike = loss_spike(r, int(steps[first]), int(steps[last]))
    loss = r.train_loss
    if not (values[top] > edge and loss[spike] >= LOSS_SPIKE * loss[calm] and loss[steps[last]] < loss[spike]):
        return None
    return (
        f"From step {steps[first]} to step {steps[last]}, the sharpness of {e.describe(i)} hovers around 2/lr = "
        f"{edge:g}: the median of its {len(held)} measurements there is {fmt(median)}, and half of them lie "
        f"between {fmt(low)} and {fmt(high)}. It does not stay below that edge: its highest measurement there is "
        f"{fmt(values[top])}, at step {steps[top]}, and the training loss, which gradient descent below 2/lr "
        f"would only lower, jumps from {fmt(loss[calm])} at step {calm} to {fmt(loss[spike])} at step {spike}, "
        f"then falls again (to {fmt(loss[steps[last]])} at step {steps[last]}). On a quadratic bowl gradient "
        "descent at this lr diverges once the curvature passes 2/lr; the network's training instead keeps coming "
        "back to that edge (the edge of stability)."
    )


def hovers(i: int) -> NetClaim:
    return NetClaim(f"run {i + 1}'s sharpness hovers at 2/lr", lambda e: _hovers(e, i))


FLATTER = 0.5  # the larger lr's late median sharpness is at most this share of the smaller's


def _late_median(e: NetEvidence, i: int) -> float:
    steps, values = e.sharpness_of(i)
    return float(np.median(values[steps >= e.run(i).final_step / 2]))


def _flatter(e: NetEvidence, large: int, small: int) -> str | None:
    edge_large, edge_small = _edge(e, large), _edge(e, small)
    if not e.lr(large) > e.lr(small):
        return None
    steps, values = e.sharpness_of(large)
    start = float(values[0])
    late_large, late_small = _late_median(e, large), _late_median(e, small)
    at_its_edge = steps[0] == 0 and STILL_AT * edge_large <= start <= edge_large
    if not (at_its_edge and late_large <= FLATTER * late_small and late_large <= edge_large):
        return None
    return (
        f"{e.describe(large)} starts near its own, lower edge: its 2/lr is {edge_large:g}, and the sharpness at "
        f"the start, {fmt(start)}, is already {percent(start / edge_large)} of it. Over the second half of "
        f"training its median sharpness is {fmt(late_large)}, against {fmt(late_small)} for {e.describe(small)}, "
        f"whose 2/lr is {edge_small:g}: a larger lr only tolerates flatter places."
    )


def flatter(large: int, small: int) -> NetClaim:
    return NetClaim(
        f"run {large + 1}'s larger lr ends flatter than run {small + 1}", lambda e: _flatter(e, large, small)
    )


# --- the presets ----------------------------------------------------------------------------


@dataclass(frozen=True)
class NetPreset:
    key: str
    title: str
    intro: str
    claims: tuple[NetClaim, ...]
    build_state: Callable[[], NetState]

    def build(self) -> NetState:
        return replace(self.build_state(), preset=self.key)

    @property
    def kinds(self) -> tuple[str, ...]:
        return tuple(r.kind for r in self.build_state().runs)


def setting(state: NetState) -> str:
    """The setting of a state in words, from the state itself (so an intro is true by construction)."""
    split = draw(state.dataset, state.n_points, state.noise, state.validation, state.seed)
    net = network(split.dataset.inputs, state.setup().hidden, state.activation)
    return (
        f"A {net.describe()} network learns {DATASETS[state.dataset].name.lower()} (noise {state.noise:g}) from "
        f"{len(split.y_train)} training points, and is checked on {len(split.y_validation)} validation points it "
        f"never trains on; every run starts from the same weights and trains {state.steps} steps."
    )


def optimizers(state: NetState) -> str:
    """What "GD" and "SGD" mean, for the runs of a state that use them: the page labels the same
    torch.optim.SGD by how it is fed."""
    kinds = {run.kind for run in state.runs}
    words = []
    if "gd" in kinds:
        words.append("GD is full-batch gradient descent: each step follows the gradient of all training points.")
    if "sgd" in kinds:
        words.append(
            ("SGD is the same optimizer on" if "gd" in kinds else "SGD is gradient descent on")
            + " random mini-batches: each step follows the gradient of a batch of training points drawn anew."
        )
    return "".join(" " + w for w in words)


def _preset(key: str, title: str, framing: str, claims: tuple[NetClaim, ...], build: Callable[[], NetState]):
    return NetPreset(key, title, f"{setting(build())}{optimizers(build())} {framing}", claims, build)


def _overfitting() -> NetState:
    # few training points, much noise and a wide network: it can memorise the noise
    return NetState(
        dataset="moons",
        n_points=80,
        noise=0.3,
        validation=0.6,
        layers=2,
        units=32,
        steps=1500,
        runs=(NetRunChoice("adam", lr=0.003), NetRunChoice("adam", lr=0.003, l2=0.02)),
    )


def _regularisation() -> NetState:
    return replace(_overfitting(), runs=_overfitting().runs + (NetRunChoice("adam", lr=0.003, dropout=0.5),))


def _minibatch() -> NetState:
    return NetState(
        dataset="moons",
        n_points=200,
        noise=0.25,
        layers=2,
        units=16,
        steps=1000,
        runs=(NetRunChoice("gd", lr=0.1), NetRunChoice("sgd", lr=0.1, batch=8), NetRunChoice("sgd", lr=0.1, batch=32)),
    )


def _lr_too_high() -> NetState:
    # regression: the squared error grows without bound, so a too-large lr blows up quickly
    return NetState(
        dataset="sine",
        n_points=30,
        noise=0.3,
        layers=2,
        units=16,
        steps=500,
        runs=(NetRunChoice("gd", lr=0.1), NetRunChoice("gd", lr=1.0)),
    )


def _spirals() -> NetState:
    return NetState(
        dataset="spirals",
        n_points=240,
        noise=0.05,
        layers=2,
        units=32,
        steps=1500,
        runs=(
            NetRunChoice("adam", lr=0.01, batch=32),
            NetRunChoice("sgd", lr=0.3, batch=32),
            NetRunChoice("sgd", lr=1.0, batch=32),
        ),
    )


def _edge_of_stability() -> NetState:
    return NetState(
        dataset="moons",
        n_points=200,
        noise=0.25,
        layers=2,
        units=16,
        steps=2500,
        runs=(NetRunChoice("gd", lr=0.5), NetRunChoice("gd", lr=2.0)),
    )


NET_PRESETS: Catalogue[NetPreset] = Catalogue(
    "network preset",
    [
        _preset(
            "overfitting",
            "Overfitting and early stopping",
            "Watch the training loss fall while the validation loss turns up; the second run adds an L2 penalty.",
            (overfits(0), closes_gap(1, 0, "l2")),
            _overfitting,
        ),
        _preset(
            "regularisation",
            "L2 and dropout close the gap",
            "The first run has no regularisation, the second an L2 penalty, the third dropout.",
            (overfits(0), closes_gap(1, 0, "l2"), closes_gap(2, 0, "dropout")),
            _regularisation,
        ),
        _preset(
            "minibatch",
            "Mini-batch noise on real data",
            "Watch how smoothly each training loss falls.",
            (jitters(1, 0), jitters(2, 0), smaller_batch_noisier(1, 2), cheaper_and_close(1, 0)),
            _minibatch,
        ),
        _preset(
            "lr_too_high",
            "A learning rate too high for a network",
            f"Two GD runs, one with a {_lr_too_high().runs[1].lr / _lr_too_high().runs[0].lr:g} times larger lr.",
            (trains_below_edge(0), diverges(1), above_start_edge(1)),
            _lr_too_high,
        ),
        _preset(
            "spirals",
            "Adam against SGD on spirals",
            "Adam scales each weight's step by the size of its own recent gradients; SGD gives every weight one lr.",
            (reaches(0), outpaces(0, 1), outpaces(0, 2)),
            _spirals,
        ),
        _preset(
            "edge_of_stability",
            "Sharpness rises to 2/lr: the edge of stability",
            "On a quadratic bowl, gradient descent is stable only while the curvature stays below 2/lr; watch "
            "the network's curvature, its sharpness, against that edge.",
            (sharpens(0), hovers(0), flatter(1, 0)),
            _edge_of_stability,
        ),
    ],
)
DEFAULT_NET_PRESET = "overfitting"


def is_unchanged_preset(state: NetState) -> bool:
    """The view trains exactly what its preset trains (display settings and planes aside)."""
    preset = NET_PRESETS.get(state.preset)
    return preset is not None and state.engine_key() == preset.build().engine_key()


def lesson_sentences(
    state: NetState, results: list[TrainResult], sharpness: list[tuple[np.ndarray, np.ndarray]]
) -> list[str]:
    """The lesson of the view's preset: its intro while the view is the unchanged preset, then
    every claim that holds on these runs (none for a view without a preset)."""
    preset = NET_PRESETS.get(state.preset)
    if preset is None:
        return []
    evidence = NetEvidence(state, results, sharpness)
    held = [sentence for claim in preset.claims if (sentence := claim.says(evidence))]
    return ([preset.intro] if is_unchanged_preset(state) else []) + held
