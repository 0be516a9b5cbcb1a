"""The enrolment QR code as lines of Unicode half blocks (two modules per character cell).

Light modules are drawn filled and dark ones empty, with a quiet zone of
light around them: the screen shows the lines light-on-black, which a phone
camera reads as the usual dark-on-light code on any terminal theme.
"""

from __future__ import annotations

_GLYPHS = {(True, True): "█", (True, False): "▀", (False, True): "▄", (False, False): " "}


def qr_lines(data: str, *, border: int = 2) -> list[str]:
    """``data`` as a QR code (error correction L: the smallest code for a long URI)."""
    import qrcode  # type: ignore[import-untyped]
    from qrcode.constants import ERROR_CORRECT_L  # type: ignore[import-untyped]

    code = qrcode.QRCode(error_correction=ERROR_CORRECT_L, border=border)
    code.add_data(data)
    code.make(fit=True)
    matrix = [[not dark for dark in row] for row in code.get_matrix()]  # True = light
    if len(matrix) % 2:
        matrix.append([True] * len(matrix[0]))
    return [
        "".join(_GLYPHS[top, bottom] for top, bottom in zip(upper, lower, strict=True))
        for upper, lower in zip(matrix[0::2], matrix[1::2], strict=True)
    ]
