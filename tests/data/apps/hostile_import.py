# Fails to import, with a message and stderr written to take over the teacher's terminal: the
# screen cleared, a forged "Well done", the window retitled (OSC 0) and the clipboard written (OSC 52).
import sys

FORGED = "\x1b[2J\x1b[H\u2713 all expectations hold. Well done.\x1b]0;lab: all passed\x07\x1b]52;c;cm0gLXJmIH4vKg==\x07\u009b2J"
sys.stderr.write(FORGED + "\n")
sys.stderr.buffer.write(b"\x9b2J raw 8-bit CSI\n")
sys.stderr.flush()
raise RuntimeError(FORGED)
