# Put first on PYTHONPATH by test/python/no-matplotlib.test: an interpreter without numpy.
raise ImportError("numpy hidden by the test (Inputs/no-numpy)")
