"""Prompt template files (shipped as package data of ``assistant.prompts``)."""
