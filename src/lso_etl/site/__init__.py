"""Site knowledge for baolangson.vn as data: URL rules (`urls`), page layouts (`profile`) and
discovery endpoints (`discovery`). Fixing a selector is a one-line change here.

May import: only the standard library. Every stage reads it; it imports none of them.
"""
