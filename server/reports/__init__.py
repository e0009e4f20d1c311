"""Documents the product produces: registration lists, minutes."""
