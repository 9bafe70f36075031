"""CodexContinueGPT: a privacy-first terminal assistant on local models."""

# Hard-coded rather than read through importlib.metadata: that lookup alone costs
# several milliseconds on every start, and start-up time is a feature here.
__version__ = "0.1.0"
