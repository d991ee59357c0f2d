"""The replay site: a deterministic corpus shaped like baolangson.vn, served over real HTTP on loopback.

No machine here reaches the real site, so tests, demos and benchmarks crawl this instead. Each
corpus article carries the truth a perfect parser should extract from its page.

May import: only itself and the standard library. Imported by tests, benchmarks, `cli.commands.demo`
and the `replay` command of `cli.main`; never by the product's stages, so no synthetic page
can reach a live run.
"""
