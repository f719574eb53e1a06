"""Tiny random-weight stand-ins for Hugging Face Hub VLM repos (see README.md)."""
