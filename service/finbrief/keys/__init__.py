"""API keys (`FINBRIEF_AUTH=keys`): the hashed key store, per-key quotas, and `finbrief keys`."""
