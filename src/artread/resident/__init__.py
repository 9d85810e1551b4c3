"""The resident server that runs commands for clients, and its client, watch and protocol."""
