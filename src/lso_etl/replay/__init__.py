"""The replay site: a deterministic corpus shaped like baolangson.vn, served over real HTTP on loopback.

No machine here reaches the real site, so tests, demos and benchmarks crawl this instead. Each
corpus article carries the truth a perfect parser should extract from its page.
"""

from lso_etl.replay.corpus import Corpus, CorpusArticle, build_corpus
from lso_etl.replay.server import ReplaySite, serve_forever

__all__ = ["Corpus", "CorpusArticle", "ReplaySite", "build_corpus", "serve_forever"]
