"""Settings modules: ``base`` reads the environment; ``dev``, ``test`` and
``production`` only choose defaults and hardening on top of it."""
