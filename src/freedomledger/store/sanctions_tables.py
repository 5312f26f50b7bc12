"""Sanctions list snapshots and memberships. Placeholder: the sanctions work defines these."""
