"""The customer website's views, one module per area; `routes()` lists them all."""
