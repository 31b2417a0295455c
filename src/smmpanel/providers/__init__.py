"""Providers: who delivers a service. Three adapters behind one interface (base.Provider):
upstream (another API v2 panel, through smmpanel.client), simulated (built in, for the demo and the tests),
manual (the operator records progress by hand; the engine never calls it)."""
