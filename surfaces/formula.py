"""User formulas in x and y, compiled to a postfix program for the kernel — never evaluated as Python.

The text is parsed with ``ast`` and every node is checked against a whitelist: numbers, x, y,
pi, e, + − * / ** (or ^), unary minus and a few named functions.  The checked tree becomes a
list of (opcode, operand) pairs that ``surfaces.custom.evaluate`` runs on hyper-dual numbers,
so values, gradients and Hessians are exact.  Every rejection is a FormulaError that quotes
the offending part and its column.
"""

from __future__ import annotations

import ast
import math
import warnings
from dataclasses import dataclass

MAX_LENGTH = 200
MAX_DEPTH = 24
MAX_NODES = 120
MAX_EXPONENT = 16.0  # |constant exponent|; a variable exponent is rewritten as exp(b·log a)
MAX_CONSTANT = 1e6
MAX_STACK = 32

# Opcodes of the postfix program (shared with surfaces.custom's evaluator)
CONST, X, Y, ADD, SUB, MUL, DIV, NEG, POWC = 0, 1, 2, 3, 4, 5, 6, 7, 8
SIN, COS, TAN, EXP, LOG, SQRT, ABS, TANH, ATAN, SINH, COSH = 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20

FUNCTIONS = {
    "sin": SIN,
    "cos": COS,
    "tan": TAN,
    "exp": EXP,
    "log": LOG,
    "ln": LOG,
    "sqrt": SQRT,
    "abs": ABS,
    "tanh": TANH,
    "atan": ATAN,
    "arctan": ATAN,
    "sinh": SINH,
    "cosh": COSH,
}
_FOLD = {
    SIN: math.sin,
    COS: math.cos,
    TAN: math.tan,
    EXP: math.exp,
    LOG: math.log,
    SQRT: math.sqrt,
    ABS: abs,
    TANH: math.tanh,
    ATAN: math.atan,
    SINH: math.sinh,
    COSH: math.cosh,
}
CONSTANTS = {"pi": math.pi, "e": math.e}
_BINARY = {ast.Add: ADD, ast.Sub: SUB, ast.Mult: MUL, ast.Div: DIV}
ALLOWED = (
    "numbers, x, y, pi, e, + - * / ** (or ^), parentheses and "
    + ", ".join(sorted(set(FUNCTIONS) - {"ln", "arctan"}))
    + "()"
)


class FormulaError(ValueError):
    """A rejected formula; the message quotes the offending part."""


@dataclass(frozen=True)
class Program:
    ops: tuple[tuple[int, float], ...]
    stack_depth: int
    uses_x: bool
    uses_y: bool


def _where(text: str, node: ast.AST) -> str:
    segment = ast.get_source_segment(text, node) or text
    col = getattr(node, "col_offset", 0)
    return f"'{segment[:40]}' at column {col + 1}"


class _Compiler:
    def __init__(self, text: str):
        self.text = text
        self.ops: list[tuple[int, float]] = []
        self.nodes = 0

    def fail(self, node: ast.AST, why: str) -> FormulaError:
        return FormulaError(f"formula: {why}: {_where(self.text, node)}. Allowed: {ALLOWED}")

    def constant(self, node: ast.AST) -> float | None:
        """The node's value if it is a constant expression (folded here), else None."""
        if isinstance(node, ast.Constant):
            value = node.value
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise self.fail(node, "only real numbers are allowed")
            if not abs(value) <= MAX_CONSTANT:
                raise self.fail(node, f"numbers must be at most {MAX_CONSTANT:g} in size")
            return float(value)
        if isinstance(node, ast.Name) and node.id in CONSTANTS:
            return CONSTANTS[node.id]
        return None

    def visit(self, node: ast.AST, depth: int = 0) -> float | None:
        """Emit ops for ``node``; returns its value instead (emitting nothing) if it is constant."""
        self.nodes += 1
        if depth > MAX_DEPTH:
            raise self.fail(node, f"nested more than {MAX_DEPTH} levels deep")
        if self.nodes > MAX_NODES:
            raise self.fail(node, f"longer than {MAX_NODES} terms")
        value = self.constant(node)
        if value is not None:
            return value
        if isinstance(node, ast.Name):
            if node.id in ("x", "y"):
                self.ops.append((X if node.id == "x" else Y, 0.0))
                return None
            raise self.fail(node, "unknown name (use x and y)")
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            inner = self.visit(node.operand, depth + 1)
            if isinstance(node.op, ast.UAdd):
                return inner
            if inner is not None:
                return -inner
            self.ops.append((NEG, 0.0))
            return None
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Pow):
            return self.power(node, depth)
        if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
            return self.binary(node, _BINARY[type(node.op)], depth)
        if isinstance(node, ast.Call):
            return self.call(node, depth)
        raise self.fail(node, f"{type(node).__name__} is not allowed")

    def materialise(self, value: float | None) -> None:
        if value is not None:
            self.ops.append((CONST, value))

    def binary(self, node: ast.BinOp, op: int, depth: int) -> float | None:
        mark = len(self.ops)
        left = self.visit(node.left, depth + 1)
        right = self.visit(node.right, depth + 1)
        if left is not None and right is not None:
            try:
                return self.checked(
                    node,
                    {
                        ADD: left + right,
                        SUB: left - right,
                        MUL: left * right,
                        DIV: left / right if right != 0 else math.inf,
                    }[op],
                )
            except OverflowError:
                raise self.fail(node, "a constant overflows") from None
        if left is not None:  # the left constant goes before the right operand's ops
            self.ops.insert(mark, (CONST, left))
        self.materialise(right)
        if op == DIV and right == 0.0:
            raise self.fail(node, "division by zero")
        self.ops.append((op, 0.0))
        return None

    def power(self, node: ast.BinOp, depth: int) -> float | None:
        mark = len(self.ops)
        base = self.visit(node.left, depth + 1)
        exponent_mark = len(self.ops)
        exponent = self.visit(node.right, depth + 1)
        if exponent is not None:
            if abs(exponent) > MAX_EXPONENT:
                raise self.fail(node.right, f"exponents must be at most {MAX_EXPONENT:g} in size")
            if base is not None:
                try:
                    return self.checked(node, math.pow(base, exponent))
                except (OverflowError, ValueError, ZeroDivisionError):
                    raise self.fail(node, "this power is undefined or too large") from None
            self.ops.append((POWC, exponent))
            return None
        # a**b with b varying: exp(b·log a), defined where a > 0
        exponent_ops = self.ops[exponent_mark:]
        del self.ops[exponent_mark:]
        if base is not None:
            if base <= 0:
                raise self.fail(node.left, "a varying exponent needs a positive base")
            self.ops.insert(mark, (CONST, base))
        self.ops.append((LOG, 0.0))
        self.ops.extend(exponent_ops)
        self.ops.append((MUL, 0.0))
        self.ops.append((EXP, 0.0))
        return None

    def call(self, node: ast.Call, depth: int) -> float | None:
        if not (isinstance(node.func, ast.Name) and node.func.id in FUNCTIONS):
            raise self.fail(node.func, "unknown function")
        if len(node.args) != 1 or node.keywords or isinstance(node.args[0], ast.Starred):
            raise self.fail(node, f"{node.func.id}() takes exactly one argument")
        op = FUNCTIONS[node.func.id]
        inner = self.visit(node.args[0], depth + 1)
        if inner is not None:
            try:
                return self.checked(node, _FOLD[op](inner))
            except (OverflowError, ValueError):
                raise self.fail(node, "undefined for this constant") from None
        self.ops.append((op, 0.0))
        return None

    def checked(self, node: ast.AST, value: float) -> float:
        if not math.isfinite(value) or abs(value) > 1e12:
            raise self.fail(node, "a constant is infinite or too large")
        return value


def stack_depth(ops: list[tuple[int, float]]) -> int:
    depth = deepest = 0
    for op, _ in ops:
        if op in (CONST, X, Y):
            depth += 1
        elif op in (ADD, SUB, MUL, DIV):
            depth -= 1
        deepest = max(deepest, depth)
    return deepest


def _parse(text: str) -> ast.Expression:
    with warnings.catch_warnings():  # e.g. "invalid decimal literal" for 2x: the SyntaxError says it better
        warnings.simplefilter("ignore", SyntaxWarning)
        return ast.parse(text, mode="eval")


def compile_formula(text: object) -> Program:
    """Check ``text`` and compile it; raises FormulaError naming the offending part."""
    if not isinstance(text, str):
        raise FormulaError("formula: must be text")
    text = text.strip()
    if not text:
        raise FormulaError("formula: type an expression in x and y, e.g. x**2 + 3*sin(y)")
    if len(text) > MAX_LENGTH:
        raise FormulaError(f"formula: at most {MAX_LENGTH} characters, not {len(text)}")
    text = text.replace("^", "**")
    try:
        tree = _parse(text)
    except SyntaxError as error:
        column = error.offset or 1
        raise FormulaError(
            f"formula: not a valid expression at column {column}: "
            f"'{text[max(column - 6, 0) : column + 5]}' ({error.msg})"
        ) from None
    except (ValueError, RecursionError, MemoryError, OverflowError) as error:
        raise FormulaError(f"formula: cannot be read ({type(error).__name__})") from None
    compiler = _Compiler(text)
    try:
        value = compiler.visit(tree.body)
    except RecursionError:
        raise FormulaError(f"formula: nested more than {MAX_DEPTH} levels deep") from None
    compiler.materialise(value)
    ops = compiler.ops
    depth = stack_depth(ops)
    if depth > MAX_STACK:
        raise FormulaError(f"formula: needs {depth} intermediate values; at most {MAX_STACK}")
    return Program(tuple(ops), depth, any(op == X for op, _ in ops), any(op == Y for op, _ in ops))


_LATEX_FUNCTIONS = {
    "sin": r"\sin",
    "cos": r"\cos",
    "tan": r"\tan",
    "exp": r"\exp",
    "log": r"\log",
    "ln": r"\ln",
    "tanh": r"\tanh",
    "atan": r"\arctan",
    "arctan": r"\arctan",
    "sinh": r"\sinh",
    "cosh": r"\cosh",
}
_PRECEDENCE = {ast.Add: 1, ast.Sub: 1, ast.Mult: 2, ast.Div: 2, ast.Pow: 4}


def to_latex(text: str) -> str:
    """LaTeX for an accepted formula (call after compile_formula succeeded)."""
    tree = _parse(text.strip().replace("^", "**"))

    def show(node: ast.AST, parent: int = 0) -> str:
        if isinstance(node, ast.Constant):
            return f"{node.value:g}"
        if isinstance(node, ast.Name):
            return r"\pi" if node.id == "pi" else node.id
        if isinstance(node, ast.UnaryOp):
            inner = show(node.operand, 3)
            out = ("-" if isinstance(node.op, ast.USub) else "+") + inner
            return f"\\left({out}\\right)" if parent > 1 else out
        if isinstance(node, ast.Call):
            arg = show(node.args[0])
            name = node.func.id
            if name == "sqrt":
                return rf"\sqrt{{{arg}}}"
            if name == "abs":
                return rf"\left|{arg}\right|"
            return rf"{_LATEX_FUNCTIONS[name]}\left({arg}\right)"
        level = _PRECEDENCE[type(node.op)]
        if isinstance(node.op, ast.Div):
            out = rf"\frac{{{show(node.left)}}}{{{show(node.right)}}}"
        elif isinstance(node.op, ast.Pow):
            out = f"{{{show(node.left, 5)}}}^{{{show(node.right)}}}"
        else:
            symbol = {ast.Add: " + ", ast.Sub: " - ", ast.Mult: r" \cdot "}[type(node.op)]
            out = show(node.left, level) + symbol + show(node.right, level + (not isinstance(node.op, ast.Mult)))
        return f"\\left({out}\\right)" if level < parent else out

    return "f(x,y) = " + show(tree.body)
