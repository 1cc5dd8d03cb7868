"""PHP's loose conversions, as the plugin's callbacks apply them to raw request values."""
from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal

_INT = re.compile(r"\s*([+-]?\d+)")
_FLOAT = re.compile(r"\s*([+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?)")
_TAGS = re.compile(r"<[^>]*>")
_TRUE = {"1", "true", "on", "yes"}


PHP_INT_MAX = 2**63 - 1


def intval(value) -> int:
    """PHP's intval, saturating at PHP_INT_MAX like PHP does for numeric strings."""
    return max(-PHP_INT_MAX - 1, min(PHP_INT_MAX, _intval(value)))


def digits(value) -> bool:
    """ctype_digit on an ASCII string (no Unicode digits)."""
    return isinstance(value, str) and value.isascii() and value.isdigit()


def _intval(value) -> int:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value == value and abs(value) < 2**63 else 0
    if isinstance(value, (list, dict)):
        return 1 if value else 0
    match = _INT.match(str(value or ""))
    return int(match.group(1)) if match else 0


def floatval(value) -> float:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, (list, dict)):
        return 1.0 if value else 0.0
    match = _FLOAT.match(str(value or ""))
    try:
        result = float(match.group(1)) if match else 0.0
    except (OverflowError, ValueError):
        return 0.0
    return result if result == result and abs(result) != float("inf") else 0.0


def text(value) -> str:
    """sanitize_text_field: strings only (arrays become ''), tags stripped, whitespace folded."""
    if isinstance(value, bool):
        return "1" if value else ""
    if isinstance(value, (int, float)):
        return str(value)
    if not isinstance(value, str):
        return ""
    value = _TAGS.sub("", value).replace("\x00", "")
    return re.sub(r"\s+", " ", value).strip()


def textarea(value) -> str:
    if not isinstance(value, str):
        return text(value)
    return _TAGS.sub("", value).replace("\x00", "").strip()


def email(value) -> str:
    """sanitize_email: '' unless it looks like local@domain.tld."""
    value = text(value)
    if re.fullmatch(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+", value):
        return value
    return ""


def boolean(value) -> bool:
    """filter_var(..., FILTER_VALIDATE_BOOLEAN)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return value == 1
    return isinstance(value, str) and value.strip().lower() in _TRUE


def empty(value) -> bool:
    """PHP's empty(): '', '0', 0, 0.0, [], null, false."""
    return value in (None, False, "", "0", 0, 0.0) or value == [] or value == {}


_DECIMAL_18_8 = Decimal("9999999999.99999999")


def price(value) -> str:
    """A DECIMAL(18,8) price column as $wpdb reads it back: eight decimals (``"20.00000000"``), signed,
    and held to the column's range as MySQL (non-strict, as WordPress runs it) holds it."""
    amount = max(-_DECIMAL_18_8, min(_DECIMAL_18_8, Decimal(repr(floatval(value)))))
    return format(amount.quantize(Decimal("0.00000001")), "f")


def number(value: float) -> int | float:
    """A PHP float as json_encode writes it: no zero fraction (``20.0`` is ``20``, ``99.5`` stays)."""
    return int(value) if value.is_integer() and abs(value) < 2**53 else value


def round_price(value) -> int | float:
    """pmpro_round_price: PHP's round() to the currency's two decimals (halves away from zero), as
    json_encode shows the float."""
    return number(float(Decimal(repr(floatval(value))).quantize(Decimal("0.01"), ROUND_HALF_UP)))


def format_price(value) -> str:
    """pmpro_formatPrice for the default currency (USD, symbol stored as an HTML entity)."""
    return f"&#36;{floatval(value):,.2f}"
