"""The run's steps, in order: extract (Pix), identify (I-Milo), decide (the domain), apply
(the writer and its effects), report. They order the work and hold no rule."""
