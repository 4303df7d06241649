"""Who is looking: every patient-facing query is scoped by the viewer it is run for."""

from __future__ import annotations

from dataclasses import dataclass

ROLES = ("clinician", "admin")


@dataclass(frozen=True)
class Viewer:
    """A signed-in person, or the command line, on whose behalf data is read."""

    username: str
    role: str
    clinician: str | None = None

    @classmethod
    def system(cls) -> Viewer:
        """Return the command-line viewer: the server admin, who sees every patient."""
        return cls("cli", "admin")

    @property
    def clinician_scope(self) -> str | None:
        """Return the clinician whose patients this viewer may see, or None for everyone (admins)."""
        if self.role == "admin":
            return None
        # A clinician with no clinician name still sees only patients filed under their username.
        return self.clinician or self.username
