"""Relocation (易地扶贫搬迁): resettlement sites, households' moves, their follow-up support
and the targets the moves count against."""
