"""Examples and environment variables for each command's ``--help`` (argparse epilogs).

Kept apart from the parser so the text can be read and reviewed as text, and so the man page and
``--help`` say the same thing.
"""

from __future__ import annotations

__all__ = ["COMMAND_EPILOGS", "ENV_COMMON", "MAIN_EPILOG"]

ENV_COMMON = """\
environment:
  KRAKEN_API_KEY, KRAKEN_API_SECRET                  spot credentials
  KRAKEN_FUTURES_API_KEY, KRAKEN_FUTURES_API_SECRET  futures credentials
  KRAKEN_TUI_<SETTING>                any setting, nested with __ (KRAKEN_TUI_GUARDS__MAX_NOTIONAL=5000)
  KRAKEN_TUI_LOG_LEVEL                debug, info, warning or error (as --log-level)
  KRAKEN_TUI_SECRETS_DIR, CREDENTIALS_DIRECTORY   a directory of secret files (as --secrets-dir)
  XDG_CONFIG_HOME, XDG_STATE_HOME, XDG_CACHE_HOME where files go (see `kraken-tui paths`)"""

MAIN_EPILOG = f"""\
examples:
  kraken-tui --demo                      the dashboard on the embedded exchange (no account needed)
  kraken-tui --demo --log-level debug    the same, logging every detail (attach the log to a bug report)
  kraken-tui --paper                     paper trading against Kraken's live public market
  pass show kraken/secret | kraken-tui --api-secret-stdin
  kraken-tui --demo stream book BTC/USD  verified book lines as NDJSON
  kraken-tui paths                       where the config, state and log files are
  kraken-tui completion bash > ~/.local/share/bash-completion/completions/kraken-tui

{ENV_COMMON}"""

_SETTINGS_ONLY = """\
environment:
  KRAKEN_TUI_<SETTING> and the config file apply (see `kraken-tui --help`)"""

COMMAND_EPILOGS: dict[str, str] = {
    "exchange": f"""\
examples:
  kraken-tui exchange --port 0                        listen on a free port, print its URLs
  kraken-tui exchange --seed 3 --rate 1000            a busier synthetic market
  kraken-tui exchange --source mirror                 mirror Kraken's public market (paper trading)

environment:
  KRAKEN_TUI_DEMO__SEED, KRAKEN_TUI_DEMO__RATE, KRAKEN_TUI_DEMO__BALANCES  the synthetic market and account
  KRAKEN_TUI_PAPER__MIRROR_URL                                           what --source mirror follows
{_SETTINGS_ONLY.splitlines()[1]}""",
    "stream": f"""\
examples:
  kraken-tui --demo stream book BTC/USD --depth 5     the embedded exchange's verified book
  kraken-tui stream ticker BTC/USD ETH/USD            Kraken's live tickers
  kraken-tui stream executions --count 10             your own order events (needs credentials)
  kraken-tui --record s.ndjson.gz stream trade        also record the raw frames for --replay

{ENV_COMMON}""",
    "bench": f"""\
examples:
  kraken-tui bench                                    the book hot path with the default kernel
  kraken-tui bench --kernel python                    the pure-Python loop, for comparison

{_SETTINGS_ONLY}""",
    "bench-feed": f"""\
examples:
  kraken-tui bench-feed                               socket-to-store throughput against the embedded exchange

{_SETTINGS_ONLY}""",
    "bench-ui": f"""\
examples:
  kraken-tui bench-ui                                 repaint rate, key and order latency in a headless terminal

{_SETTINGS_ONLY}""",
    "bench-startup": f"""\
examples:
  kraken-tui bench-startup                            median of --version and --help, and the first frame
  kraken-tui bench-startup --runs 21 --frames 5

{_SETTINGS_ONLY}""",
    "soak": f"""\
examples:
  kraken-tui soak --minutes 2                         drops, resets and bad frames for two minutes

{_SETTINGS_ONLY}""",
    "paths": """\
examples:
  kraken-tui paths                                    every path, one a line
  kraken-tui paths log_file                           one path alone, for scripts: tail -f "$(kraken-tui paths log_file)"

environment:
  XDG_CONFIG_HOME, XDG_STATE_HOME, XDG_CACHE_HOME     honoured on Linux
  KRAKEN_TUI_SECRETS_DIR, CREDENTIALS_DIRECTORY       shown as secrets_dir when set""",
    "completion": """\
examples:
  kraken-tui completion bash > ~/.local/share/bash-completion/completions/kraken-tui
  kraken-tui completion zsh > "${fpath[1]}/_kraken-tui"
  kraken-tui completion fish > ~/.config/fish/completions/kraken-tui.fish

environment:
  none""",
    "man": """\
examples:
  kraken-tui man | man -l -
  kraken-tui man > ~/.local/share/man/man1/kraken-tui.1

environment:
  none""",
}
