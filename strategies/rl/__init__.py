"""The RL stack (FinRL, stable-baselines3, torch, gymnasium). Imported only inside Celery tasks and the
strategies worker command, never by the web process (see tests/test_web_isolation.py)."""
