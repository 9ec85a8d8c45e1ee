"""gemini-conformance: a conformance suite for Gemini-native API gateways."""

__version__ = "0.1.0"
