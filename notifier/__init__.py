"""KKR Notifier: follows the five KKR councils on kl.dk and tells politicians what is new."""

__version__ = "0.1.0"
