"""preflight: the offline plan and policy check for Pulumi Python programs (SPEC §4)."""
