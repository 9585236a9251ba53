"""The one kind of failure albctl reports: a message for the user, exit status 2."""


class AlbctlError(Exception):
    """A problem the user can fix (credentials, permissions, outputs, a name); printed as one
    line on stderr, never as a traceback."""
