"""The app's pages in two modules, as its models: explainer.py and organisations.py (the registry)."""
