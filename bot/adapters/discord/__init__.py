"""The Discord adapter: discord.py in front of the core, embeds and persistent buttons out."""
