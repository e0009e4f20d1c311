"""The aiohttp application and everything with I/O."""
