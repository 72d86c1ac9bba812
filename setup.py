"""The one thing pyproject.toml cannot yet say stably: the L2 book's compiled inner loop.

``optional=True``: where there is no compiler or no Python headers, the install goes on and the
book runs its pure-Python loop (``tui.book.l2.kernel_name()`` says which one runs).
"""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension("tui.book._l2kernel", sources=["tui/book/_l2kernel.c"], optional=True),
    ]
)
