"""``{{ number|tel }}``: a phone number as a tel: link target (digits, with +1 for US numbers)."""

from django import template

register = template.Library()


@register.filter
def tel(number) -> str:
    digits = "".join(character for character in str(number) if character.isdigit())
    if len(digits) == 11 and digits.startswith("1"):
        return f"+{digits}"
    if len(digits) == 10:
        return f"+1{digits}"
    return digits
