"""The ground floor: the vocabulary every other package shares.

Models, gaps and their reasons, errors, secrets, YAML/JSON loading, the policy and the knowledge
base. Nothing here imports any other package of the project.
"""

__version__ = "0.1.0"
