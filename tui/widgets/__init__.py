"""Widgets: each reads plain values handed down by its screen; none knows about JSON or sockets."""
