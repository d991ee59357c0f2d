"""The `lso-etl` command: the typer app (`main`) and its command families.

`parse`, `probe`, `archive` (reparse), `analyst` (sql, search, stats, export), `demo` and the
`progress` display. Commands that need no orchestration import no Prefect, so they start fast.

May import anything in the product: the flows, the pipeline, every stage, and `replay` (only
`demo` and the `replay` command in `main` do). Nothing imports `cli`.
"""
