"""Plain-language definitions, each linked to the preset that shows it best."""

from __future__ import annotations

GLOSSARY: tuple[tuple[str, str, str], ...] = (
    (
        "Optimizer",
        "The rule that changes a model's weights so the loss goes down. Without one nothing is learned: "
        "the weights would stay where they started.",
        "rosenbrock_race",
    ),
    (
        "Loss surface",
        "The loss plotted over every possible setting of the weights. Here there are two weights, so "
        "it is a landscape you can see; training is a walk downhill on it.",
        "basins",
    ),
    (
        "Gradient",
        "The direction in which the loss rises fastest, and how steeply. Its length is large on steep "
        "walls and zero at the bottom of a valley.",
        "saddle_escape",
    ),
    (
        "Gradient descent (GD)",
        "Take a step against the gradient, scaled by the learning rate, and repeat. It uses "
        "the exact gradient of the whole loss.",
        "lr_extremes",
    ),
    (
        "SGD and mini-batch",
        "Stochastic gradient descent estimates the gradient from a small random batch of data "
        "each step: many cheap, noisy steps. The noise can shake it out of shallow local minima.",
        "minibatch_noise",
    ),
    (
        "Momentum",
        "Remember past steps and keep moving in the direction they agree on. Like a heavy ball it rolls "
        "through ravines and over small bumps.",
        "momentum_ravine",
    ),
    (
        "Adaptive learning rate",
        "Give every weight its own step size, scaled by how large its gradients have been, "
        "so steep and flat directions both make progress.",
        "saddle_escape",
    ),
    (
        "AdaGrad",
        "Divides each coordinate's step by the root of the sum of all its squared gradients so far. The "
        "steps only ever shrink.",
        "adagrad_memory",
    ),
    (
        "RMSprop",
        "Like AdaGrad but with a decaying average, so old gradients are forgotten. That suits problems "
        "that change over time (non-stationary).",
        "saddle_escape",
    ),
    (
        "Adam",
        "Momentum plus RMSprop-style per-weight scaling, with a bias correction for the first steps. A robust "
        "default for noisy problems and large models.",
        "rosenbrock_race",
    ),
    (
        "Newton's method (second order)",
        "Use the curvature (the Hessian) as well as the gradient and jump to the "
        "bottom of the fitted quadratic. Very fast near a minimum, but attracted "
        "to saddle points, and the Hessian is too costly for large models.",
        "newton_saddle",
    ),
    (
        "Learning rate",
        "How far each step goes. Too high overshoots or diverges; too low crawls. It trades speed against stability.",
        "lr_extremes",
    ),
    (
        "Scheduler",
        "Changes the learning rate during training: usually start large to make progress, then shrink it "
        "(step, exponential, cosine, warm-up) to settle.",
        "schedules",
    ),
    (
        "Regularization (L1, L2, dropout)",
        "Extra pressure toward simple weights, to fight overfitting. L2 pulls the "
        "minimum toward the origin, L1 onto the axes (sparsity); dropout randomly "
        "hides inputs during training.",
        "regularization",
    ),
    (
        "Dropout",
        "Randomly hide each input (or unit) with probability p during training and scale the rest up. "
        "On average it adds an L2-like penalty, so the weights it learns are smaller.",
        "dropout_shrinks",
    ),
    (
        "Overfitting",
        "Fitting the training data so closely, noise included, that the model does worse on new data. "
        "Regularization trades a little training loss for better generalisation.",
        "l2_vs_adamw",
    ),
    (
        "Divergence",
        "When steps grow instead of shrink and the weights fly off to huge values. Usually the learning "
        "rate is above the stability limit, about 2 / (largest curvature) for GD.",
        "lr_extremes",
    ),
)
