"""Sizes and spacing in one place, so every screen lines up at 1024x768 and above."""

MARGIN = 32
SPACING = 14
CARD_WIDTH = 560
CARD_MIN_WIDTH = 480
FIELD_HEIGHT = 40
BUTTON_HEIGHT = 44
TEXT_SCALES = (1.0, 1.25, 1.5, 1.75, 2.0)  # text-size steps, up to 200% (WCAG 1.4.4)
