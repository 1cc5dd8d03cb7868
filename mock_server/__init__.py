"""The Flask mock of the membership plugins' REST APIs."""
