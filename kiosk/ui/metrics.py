"""Sizes and spacing in one place, so every screen lines up at 1024x768 and above."""

MARGIN = 32
SPACING = 14
CARD_WIDTH = 560
CARD_MIN_WIDTH = 480
FIELD_HEIGHT = 40
BUTTON_HEIGHT = 44
TEXT_SCALES = (1.0, 1.2, 1.45, 1.75)  # reader text-size steps
