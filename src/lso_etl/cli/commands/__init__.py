"""The commands' own work, one module per command family; `cli.main` registers them on the app.

`parse` and `probe` (one page, every field), `archive` (reparse), `analyst` (sql, search, stats,
export), `show` (one article), `report` (the HTML report) and `demo`. Each is imported lazily by
its command in `main`, so a command that needs no orchestration imports no Prefect.

May import what `cli` may. Only `demo` imports `replay`. Never imports the `cli` plumbing
above it except `options`, `output` and `exits`.
"""
