# Put first on PYTHONPATH by test/python/no-matplotlib.test: an interpreter without matplotlib.
raise ImportError("matplotlib hidden by the test (Inputs/no-matplotlib)")
