"""Arithmetic by parsing, never `eval`: the calculator tool's engine.

    evaluate("2 * (3 + 4) ** 2") -> 98
    evaluate("sqrt(2) * pi")     -> 4.442882938158366

The usual signs for minus, times and division (U+2212 "−", "×", "÷", ...) are read as
- * /, and `^` as `**`. The expression is parsed with `ast` and walked with a whitelist: numbers, + - * / //
% ** (unary too), parentheses, and a few math functions and constants. Everything
else (names, attribute access, subscripts, strings, comprehensions, lambdas, calls of
anything not on the list) is refused with a message saying what is allowed.

Big numbers are refused before they are built: an integer power whose result would
pass `MAX_INT_BITS` is never computed (10**10**10 would take minutes and gigabytes),
and so is a factorial above `MAX_FACTORIAL`.
"""

from __future__ import annotations

import ast
import math
import operator
from collections.abc import Callable
from typing import Any

__all__ = ["CalculatorError", "evaluate", "format_number"]

MAX_EXPRESSION_CHARS = 2_000
MAX_INT_BITS = 12_000  # about 3,600 decimal digits: well under Python's int->str limit
MAX_FACTORIAL = 1_000

Number = int | float


class CalculatorError(ValueError):
    """The expression is not arithmetic we evaluate, or its result is out of range."""


def _log(x: Number, base: Number = math.e) -> float:
    return math.log(x, base)


def _factorial(n: Number) -> int:
    if isinstance(n, float):
        if not n.is_integer():
            raise CalculatorError("factorial() takes a whole number")
        n = int(n)
    if n > MAX_FACTORIAL:
        raise CalculatorError(f"factorial() is limited to n <= {MAX_FACTORIAL}")
    return math.factorial(n)


FUNCTIONS: dict[str, Callable[..., Number]] = {
    "sqrt": math.sqrt,
    "cbrt": lambda x: math.copysign(abs(x) ** (1 / 3), x),
    "exp": math.exp,
    "log": _log,
    "ln": math.log,
    "log10": math.log10,
    "log2": math.log2,
    "sin": math.sin,
    "cos": math.cos,
    "tan": math.tan,
    "asin": math.asin,
    "acos": math.acos,
    "atan": math.atan,
    "atan2": math.atan2,
    "sinh": math.sinh,
    "cosh": math.cosh,
    "tanh": math.tanh,
    "degrees": math.degrees,
    "radians": math.radians,
    "abs": abs,
    "round": round,
    "floor": math.floor,
    "ceil": math.ceil,
    "min": min,
    "max": max,
    "hypot": math.hypot,
    "factorial": _factorial,
}
CONSTANTS: dict[str, float] = {"pi": math.pi, "e": math.e, "tau": math.tau, "inf": math.inf}

_BINARY: dict[type[ast.operator], Callable[[Any, Any], Number]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv,
    ast.Mod: operator.mod,
    ast.Pow: operator.pow,
}
_UNARY: dict[type[ast.unaryop], Callable[[Any], Number]] = {
    ast.UAdd: operator.pos,
    ast.USub: operator.neg,
}
_SYMBOL = {ast.BitXor: "^", ast.BitAnd: "&", ast.BitOr: "|", ast.LShift: "<<", ast.RShift: ">>", ast.MatMult: "@"}


def _check_size(value: Number) -> Number:
    if isinstance(value, int) and value.bit_length() > MAX_INT_BITS:
        raise CalculatorError("the result is too large (more than about 3,600 digits)")
    return value


def _power(base: Number, exponent: Number) -> Number:
    # bits of base**exponent ~ exponent * log2|base|: refuse before computing.
    if (
        isinstance(base, int)
        and isinstance(exponent, int)
        and exponent > 0
        and abs(base) > 1
        and exponent * math.log2(abs(base)) > MAX_INT_BITS
    ):
        raise CalculatorError("the result is too large (more than about 3,600 digits)")
    result = base**exponent
    if isinstance(result, complex):
        raise CalculatorError("the result is a complex number (a negative number to a fractional power)")
    return result


class _Evaluator:
    def visit(self, node: ast.AST) -> Number:
        if isinstance(node, ast.Expression):
            return self.visit(node.body)
        if isinstance(node, ast.Constant):
            value = node.value
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise CalculatorError(f"only numbers are allowed, not {value!r}")
            return value
        if isinstance(node, ast.BinOp):
            op = type(node.op)
            if op not in _BINARY:
                symbol = _SYMBOL.get(op, op.__name__)
                raise CalculatorError(f"the operator {symbol} is not supported")
            left, right = self.visit(node.left), self.visit(node.right)
            if op is ast.Pow:
                return _check_size(_power(left, right))
            return _check_size(_BINARY[op](left, right))
        if isinstance(node, ast.UnaryOp):
            if type(node.op) not in _UNARY:
                raise CalculatorError(f"the operator {type(node.op).__name__} is not supported")
            return _UNARY[type(node.op)](self.visit(node.operand))
        if isinstance(node, ast.Name):
            if node.id in CONSTANTS:
                return CONSTANTS[node.id]
            if node.id in FUNCTIONS:
                raise CalculatorError(f"{node.id} is a function: call it, as in {node.id}(2)")
            raise CalculatorError(f"unknown name {node.id!r}; constants: {', '.join(CONSTANTS)}")
        if isinstance(node, ast.Call):
            return self._call(node)
        if isinstance(node, ast.Attribute):
            raise CalculatorError("attribute access (a.b) is not allowed")
        raise CalculatorError(
            f"{type(node).__name__} is not arithmetic; only numbers, "
            "+ - * / // % **, parentheses and math functions are allowed"
        )

    def _call(self, node: ast.Call) -> Number:
        if isinstance(node.func, (ast.Constant, ast.BinOp, ast.UnaryOp, ast.Call)) or (
            isinstance(node.func, ast.Name) and node.func.id in CONSTANTS
        ):
            shown = ast.unparse(node.func)
            if isinstance(node.func, (ast.BinOp, ast.UnaryOp)):
                shown = f"({shown})"
            raise CalculatorError(f"write multiplication with *: {shown}*(...), not {shown}(...)")
        if not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS:
            shown = node.func.id if isinstance(node.func, ast.Name) else ast.unparse(node.func)
            raise CalculatorError(f"unknown function {shown!r}; functions: {', '.join(FUNCTIONS)}")
        if node.keywords:
            raise CalculatorError("functions take positional arguments only")
        if any(isinstance(arg, ast.Starred) for arg in node.args):
            raise CalculatorError("* in a call is not allowed")
        args = [self.visit(arg) for arg in node.args]
        try:
            return _check_size(FUNCTIONS[node.func.id](*args))
        except TypeError as exc:
            raise CalculatorError(f"{node.func.id}(): {exc}") from exc


# What people (and models) write for the ASCII operators: the minus sign and dashes,
# times and division signs, and `^` for powers (a calculator has no XOR).
_SPELLINGS = str.maketrans(
    {
        "\u2212": "-",
        "\u2012": "-",
        "\u2013": "-",
        "\u2014": "-",
        "\ufe63": "-",
        "\uff0d": "-",
        "\u00d7": "*",
        "\u22c5": "*",
        "\u00b7": "*",
        "\u2217": "*",
        "\uff0a": "*",
        "\u00f7": "/",
        "\u2215": "/",
        "\uff0f": "/",
        "\uff0b": "+",
        "\u00a0": " ",
        "\u2009": " ",
        "\u202f": " ",
    }
)


def _normalise(expression: str) -> str:
    """The expression with the usual non-ASCII operator signs as ASCII, and `^` as `**`
    (replaced in the text, so that `2^3+1` keeps the precedence of a power: 9)."""
    return expression.translate(_SPELLINGS).replace("^", "**")


def evaluate(expression: str) -> Number:
    """The value of an arithmetic expression; CalculatorError says what is wrong."""
    text = _normalise(expression).strip()
    if not text:
        raise CalculatorError("the expression is empty")
    if len(text) > MAX_EXPRESSION_CHARS:
        raise CalculatorError(f"the expression is longer than {MAX_EXPRESSION_CHARS} characters")
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError as exc:
        raise CalculatorError(f"not a valid expression: {exc.msg}") from None
    except (RecursionError, MemoryError):
        raise CalculatorError("the expression is nested too deeply") from None
    except SystemError:
        # CPython 3.11 shares one AST depth counter between threads (gh-106905): two
        # tool calls parsing at once can trip it. Parse again; it is only arithmetic.
        try:
            tree = ast.parse(text, mode="eval")
        except (SyntaxError, RecursionError, MemoryError, SystemError):
            raise CalculatorError("could not parse the expression; try again") from None
    try:
        value = _Evaluator().visit(tree)
    except ZeroDivisionError:
        raise CalculatorError("division by zero") from None
    except OverflowError:
        raise CalculatorError("the result is too large for a floating-point number") from None
    except RecursionError:
        raise CalculatorError("the expression is nested too deeply") from None
    except ValueError as exc:
        if isinstance(exc, CalculatorError):
            raise
        raise CalculatorError(f"math error: {exc}") from None
    if isinstance(value, float) and math.isnan(value):
        raise CalculatorError("the result is not a number (NaN), e.g. inf - inf")
    return value


def format_number(value: Number) -> str:
    """Integers exactly; floats to 15 significant digits (0.1 + 0.2 -> 0.3), with
    whole floats shown without a fraction (sqrt(16) -> 4)."""
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return format(value, ".15g")
    return str(value)
