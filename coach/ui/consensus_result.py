"""The consensus page's result: the record of the rounds, the table, every download."""

from __future__ import annotations

from functools import partial

import pandas as pd
import streamlit as st

from coach.exports.formats import EXTRA_FORMATS, FORMATS, MEDIA_TYPES, export, filename
from coach.service import record
from coach.ui.common import services
from coach.ui.consensus_parts import Context


def result_tab(ctx: Context) -> None:
    table = record.build(
        ctx.workshop,
        drafts=ctx.c.ws.store.drafts(ctx.workshop.id, include_deleted=True),
        rounds=ctx.rounds,
        consensus=ctx.c,
        team=ctx.commitments.team(ctx.workshop),
        themes=ctx.themes,
        steps=services().steps,
    )
    st.subheader("The record of the rounds")
    if not table.rounds:
        st.info("No rounds yet.")
    for r in table.rounds:
        st.text(f"Round {r.number}: {r.status}" + (f" · leader: {r.winner}" if r.winner else ""))
        for concern in r.concerns:
            st.text(f"   concern: {concern}")
    st.subheader("The consensus table")
    st.dataframe(
        pd.DataFrame([r.model_dump() for r in table.rows]), hide_index=True, key="consensus_table"
    )
    downloads = FORMATS + (EXTRA_FORMATS if table.commitments else ())
    cols = st.columns(len(downloads))
    for col, fmt in zip(cols, downloads, strict=True):
        col.download_button(
            fmt.upper(),
            data=partial(export, table, fmt),
            file_name=filename(table, fmt),
            mime=MEDIA_TYPES[fmt],
            key=f"download_{fmt}",
            on_click="ignore",
        )
