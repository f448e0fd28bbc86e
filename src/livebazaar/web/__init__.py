"""The web layer: app factory, authentication, routes per feature, the realtime hub, pages."""
