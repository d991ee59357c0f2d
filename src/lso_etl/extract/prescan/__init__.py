"""A linear pre-scan of a page's bytes, before any tree is built: refuse markup too costly to parse.

`limits` counts and caps (depth, elements, bytes) as it feeds `treemodel`, a rough model of the
HTML tree builder, one tag at a time; `parse` calls it first, so a pathological page fails with
a reason in bounded time instead of costing quadratic time in selectolax.

May import what `extract` may: nothing but the standard library here.
"""
