"""The Qt shell: one module per screen, one main window that moves between them."""
