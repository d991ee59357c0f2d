"""The `lso-etl` command: the typer app (`main`) and its command families.

`main` is the app and `launch` the program's first lines; `entry`, `exits`, `options`, `output`,
`progress`, `signals`, `prefect_env` and `runs` are the plumbing every command shares; the
commands' own work lives in `commands/`. Commands that need no orchestration import no
Prefect, so they start fast.

May import anything in the product: the flows, the pipeline, every stage, and `replay` (only
`commands.demo` and the `replay` command in `main` do). Nothing imports `cli`.
"""
