"""Redraw a lab's figure re-rendering only what changed (blitting), into its Agg buffer.

A lab moves its data artists on every change, but the axes around them (frame, grid, ticks, tick
labels, axis labels, titles) change only when the limits do, and they are most of the cost of a
render: matplotlib lays out and rasterises every tick label's glyphs anew on each full draw.
:class:`Painter` keeps a copy of the figure without its data artists (the *background*) and, on
each paint:

* restores the background, then draws only the data artists over it (``blit``) when no axes'
  *furniture* changed;
* clears and redraws the furniture of the axes whose limits, ticks or labels changed (``partial``)
  and then the data artists, keeping the other axes' pixels;
* draws everything (``full``) the first time, after :meth:`Painter.invalidate`, when the figure was
  resized, when the figure runs a layout engine, or when every axes changed anyway.

Text and legends among the data cost most of a blit (matplotlib rasterises every glyph anew), and
they rarely change: each is kept as a *sprite*, its pixels rendered once on a transparent buffer,
and composited in its place while its text, position and style stay the same.

The result is the same picture as ``figure.canvas.draw()`` up to rounding in the sprites' blending.

Which artists are *data* and which are *furniture* is decided by the axes itself: an axes' patch,
spines, axis objects (ticks, tick labels, axis label, grid) and titles are furniture; everything
else among its children (lines, collections, patches, texts, legends, inset axes) is data, and so
are the figure's own texts (the takeaway line), lines, patches, images and legends.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg
from matplotlib.figure import Figure
from matplotlib.layout_engine import PlaceHolderLayoutEngine
from matplotlib.legend import Legend
from matplotlib.patches import Rectangle
from matplotlib.text import Text
from matplotlib.transforms import Bbox, IdentityTransform

__all__ = ["Painter"]


def _furniture(ax: Axes) -> list[Artist]:
    """What stays in the background: the patch, the axis objects (ticks, labels, grid), titles.

    Spines are not furniture: they are drawn with the data in zorder, so that they stay on top
    of bars and lines as in a full draw (and they cost next to nothing).
    """
    return [ax.patch, *ax._axis_map.values(),
            ax.title, ax._left_title, ax._right_title]


def _data_artists(ax: Axes) -> list[Artist]:
    keep = {id(a) for a in _furniture(ax)}
    return sorted((a for a in ax.get_children() if id(a) not in keep),
                  key=lambda a: a.get_zorder())


def _figure_data(fig: Figure) -> list[Artist]:
    return sorted([*fig.lines, *fig.patches, *fig.texts, *fig.images, *fig.legends,
                   *fig.artists], key=lambda a: a.get_zorder())


def _sprite_key(artist: Artist, renderer: Any) -> tuple | None:
    """What a text or legend looks like, or None when it is not kept as a sprite."""
    if not artist.get_visible():
        return None
    if type(artist) is Text:
        if artist.get_clip_on() and artist.get_clip_box() is not None:
            return None
        pos = artist.get_transform().transform(artist.get_unitless_position())
        bbox = artist.get_bbox_patch()
        return ("text", artist.get_text(), round(float(pos[0]), 2), round(float(pos[1]), 2),
                str(artist.get_color()), hash(artist.get_fontproperties()),
                artist.get_rotation(), artist.get_ha(), artist.get_va(), artist.get_alpha(),
                artist.get_wrap(), artist.get_linespacing(), None if bbox is None else id(bbox),
                renderer.width, renderer.height, renderer.dpi)
    if isinstance(artist, Legend):
        if artist._loc in (0, "best"):  # placed anew on every draw, by the data
            return None
        anchor = artist.get_bbox_to_anchor()
        title = artist.get_title()
        return ("legend", id(artist), artist._loc, tuple(anchor.bounds),
                tuple(t.get_text() for t in artist.texts), title.get_text(),
                title.get_visible(), artist.get_alpha(), renderer.width, renderer.height,
                renderer.dpi)
    return None


def _text_key(text: Any) -> tuple:
    return (text.get_visible(), text.get_text(), str(text.get_color()), text.get_fontsize())


def _axis_key(axis: Any) -> tuple:
    """Everything an axis draws: tick positions and labels, tick parameters, axis label."""
    if not axis.get_visible():
        return (False,)
    parts: list[Any] = [_text_key(axis.label), repr(sorted(axis._major_tick_kw.items())),
                        repr(sorted(axis._minor_tick_kw.items()))]
    for ticker in (axis.major, axis.minor):
        locs = tuple(float(x) for x in ticker.locator())
        labels = tuple(ticker.formatter.format_ticks(list(locs)))
        offset = ticker.formatter.get_offset() if hasattr(ticker.formatter, "get_offset") else ""
        parts.append((locs, labels, offset))
    return tuple(parts)


def _axes_key(ax: Axes) -> tuple:
    """What the furniture of ``ax`` looks like: two equal keys mean identical pixels."""
    if not ax.get_visible():
        return (False,)
    return (
        tuple(round(v, 6) for v in ax.get_position().bounds), tuple(ax.get_xlim()),
        tuple(ax.get_ylim()),
        ax.get_xscale(), ax.get_yscale(), ax.axison, ax.get_frame_on(),
        tuple(ax.patch.get_facecolor()),
        tuple(_axis_key(axis) for axis in ax._axis_map.values()),
        tuple(_text_key(t) for t in (ax.title, ax._left_title, ax._right_title)),
    )


def _kept(new: tuple[float, float], old: tuple[float, float], scale: str,
          fraction: float) -> tuple[float, float] | None:
    """Limits to show instead of ``new``: the union of ``new`` and the ``old`` limits shown,
    when ``new`` spans at least ``fraction`` of that union (same direction); else None."""
    if scale == "log":
        if min(*new, *old) <= 0.0:
            return None
        f, g = math.log10, lambda v: 10.0 ** v
    elif scale == "linear":
        f, g = float, float
    else:
        return None
    n0, n1, o0, o1 = f(new[0]), f(new[1]), f(old[0]), f(old[1])
    span_new, span_old = n1 - n0, o1 - o0
    if not (math.isfinite(span_new) and math.isfinite(span_old)) or span_new * span_old <= 0:
        return None
    lo, hi = min(n0, n1, o0, o1), max(n0, n1, o0, o1)
    if abs(span_new) < fraction * (hi - lo):
        return None
    out = (g(lo), g(hi)) if span_new > 0 else (g(hi), g(lo))
    # the old limits exactly, when they hold the new ones (no rounding drift)
    if (min(o0, o1), max(o0, o1)) == (lo, hi):
        return old
    return out


def _whole(fig: Figure) -> Bbox:
    """The figure's pixels, one row wider each way: Agg's copy_from_bbox(fig.bbox) misses the
    top row."""
    return fig.bbox.padded(1.0)


def _layout_is_frozen(fig: Figure) -> bool:
    engine = fig.get_layout_engine()
    return engine is None or isinstance(engine, PlaceHolderLayoutEngine)


@contextmanager
def _hidden(artists: Iterable[Artist]) -> Iterator[None]:
    """Leave ``artists`` out of a draw (matplotlib skips animated artists) for a moment."""
    changed = [a for a in artists if not a.get_animated()]
    for a in changed:
        a._animated = True  # set_animated would mark the figure stale
    try:
        yield
    finally:
        for a in changed:
            a._animated = False


class Painter:
    """Paint ``figure`` into its Agg canvas's buffer, re-rendering only what changed.

    Parameters
    ----------
    figure : matplotlib.figure.Figure
        A figure whose canvas is an Agg canvas (``FigureCanvasAgg`` or a subclass such as
        ipympl's ``Canvas``).
    sticky : float
        Show an axis over the union of the limits asked for now and the limits of the last
        paint, when the limits asked for span at least this fraction of that union (0 turns
        it off): everything asked for stays in view, with at most ``1/sticky`` times the
        room. The axes then stay put while a slider moves a little, so their furniture need
        not be redrawn, and the eye can compare one picture with the next; a range that grows
        or shrinks by more is applied as asked. Linear and log axes only.

    Attributes
    ----------
    counts : dict of str -> int
        How many paints of each kind ("full", "partial", "blit") were done.
    last : str
        The kind of the last paint.
    """

    def __init__(self, figure: Figure, sticky: float = 0.0) -> None:
        if not isinstance(figure.canvas, FigureCanvasAgg):
            raise TypeError(f"figure.canvas must be an Agg canvas, got "
                            f"{type(figure.canvas).__name__}")
        if not 0.0 <= sticky <= 1.0:
            raise ValueError(f"sticky must be in [0, 1], got {sticky!r}")
        self.figure = figure
        self.sticky = float(sticky)
        self._limits: dict[int, tuple[tuple[float, float], tuple[float, float]]] = {}
        self.counts = {"full": 0, "partial": 0, "blit": 0}
        self.last = ""
        self._background: Any = None
        self._renderer: Any = None
        self._keys: dict[int, tuple] = {}
        self._footprints: dict[int, Bbox] = {}
        self._sprites: dict[int, tuple[tuple, np.ndarray, int, int]] = {}
        self._scratch: Any = None

    def invalidate(self) -> None:
        """Draw everything on the next :meth:`paint`."""
        self._background = None

    # ------------------------------------------------------------------------------ painting
    def paint(self) -> str:
        """Bring the canvas's buffer up to date with the figure; return the kind of paint."""
        fig = self.figure
        renderer = fig.canvas.get_renderer()
        axes = sorted(fig.axes, key=lambda a: a.get_zorder())
        if self.sticky > 0.0:
            self._keep_limits(axes)
        kind = "full"
        if (self._background is not None and renderer is self._renderer
                and _layout_is_frozen(fig) and not fig.subfigs
                and [id(a) for a in axes] == list(self._keys)):
            keys = {id(ax): _axes_key(ax) for ax in axes}
            dirty = [ax for ax in axes if keys[id(ax)] != self._keys[id(ax)]]
            dirty = self._close_over_overlaps(axes, dirty)
            if len(dirty) < len(axes):
                kind = "partial" if dirty else "blit"
                renderer.restore_region(self._background)
                if dirty:
                    self._repaint_furniture(renderer, dirty)
                    self._background = renderer.copy_from_bbox(_whole(fig))
                    for ax in dirty:
                        self._keys[id(ax)] = keys[id(ax)]
                self._draw_data(renderer, axes)
        if kind == "full":
            self._full(renderer, axes)
        self.counts[kind] += 1
        self.last = kind
        self._limits = {id(ax): (ax.get_xlim(), ax.get_ylim()) for ax in axes}
        return kind

    def _keep_limits(self, axes: list[Axes]) -> None:
        for ax in axes:
            shown = self._limits.get(id(ax))
            if shown is None:
                continue
            for new, old, scale, setter in (
                    (ax.get_xlim(), shown[0], ax.get_xscale(), ax.set_xlim),
                    (ax.get_ylim(), shown[1], ax.get_yscale(), ax.set_ylim)):
                if new != old:
                    kept = _kept(new, old, scale, self.sticky)
                    if kept is not None and kept != new:
                        setter(kept, auto=None)

    def _full(self, renderer: Any, axes: list[Axes]) -> None:
        fig = self.figure
        renderer.clear()
        data = [a for ax in axes for a in _data_artists(ax)] + _figure_data(fig)
        with _hidden(data):
            fig.draw(renderer)
        self._renderer = renderer
        self._background = renderer.copy_from_bbox(_whole(fig))
        self._keys = {id(ax): _axes_key(ax) for ax in axes}
        self._footprints = {id(ax): self._footprint(ax, renderer) for ax in axes}
        self._draw_data(renderer, axes)

    def _draw_data(self, renderer: Any, axes: list[Axes]) -> None:
        artists = [a for ax in axes if ax.get_visible() for a in _data_artists(ax)]
        for artist in [*artists, *_figure_data(self.figure)]:
            key = _sprite_key(artist, renderer)
            if key is None:
                artist.draw(renderer)
            else:
                self._composite(renderer, artist, key)

    def _composite(self, renderer: Any, artist: Artist, key: tuple) -> None:
        """Blend ``artist``'s cached pixels into the buffer (render them first if stale)."""
        sprite = self._sprites.get(id(artist))
        if sprite is None or sprite[0] != key:
            sprite = self._render_sprite(renderer, artist, key)
            self._sprites[id(artist)] = sprite
        _, pixels, row, col = sprite
        if pixels.size == 0:
            return
        buf = np.asarray(renderer.buffer_rgba())
        h, w = pixels.shape[:2]
        dst = buf[row:row + h, col:col + w]
        alpha = pixels[..., 3:4].astype(np.float32) / 255.0
        blended = pixels[..., :3] * alpha + dst[..., :3] * (1.0 - alpha)
        dst[..., :3] = np.rint(blended).astype(np.uint8)
        dst[..., 3] = np.maximum(dst[..., 3], pixels[..., 3])

    def _render_sprite(self, renderer: Any, artist: Artist,
                       key: tuple) -> tuple[tuple, np.ndarray, int, int]:
        width, height = int(renderer.width), int(renderer.height)
        scratch = self._scratch
        if scratch is None or (scratch.width, scratch.height, scratch.dpi) != (
                renderer.width, renderer.height, renderer.dpi):
            scratch = self._scratch = RendererAgg(width, height, renderer.dpi)
        scratch.clear()
        artist.draw(scratch)
        box = artist.get_window_extent(scratch)
        x0, x1 = max(0, math.floor(box.x0) - 3), min(width, math.ceil(box.x1) + 3)
        r0 = max(0, height - math.ceil(box.y1) - 3)
        r1 = min(height, height - math.floor(box.y0) + 3)
        if x1 <= x0 or r1 <= r0:
            return key, np.empty((0, 0, 4), np.uint8), 0, 0
        pixels = np.array(np.asarray(scratch.buffer_rgba())[r0:r1, x0:x1])
        return key, pixels, r0, x0

    def _repaint_furniture(self, renderer: Any, dirty: list[Axes]) -> None:
        fig = self.figure
        for ax in dirty:  # clear every footprint first, so that nothing is drawn twice
            box = self._footprints[id(ax)]
            x0, y0 = math.floor(box.x0), math.floor(box.y0)
            blank = Rectangle((x0, y0), math.ceil(box.x1) - x0, math.ceil(box.y1) - y0,
                              transform=IdentityTransform(), facecolor=fig.patch.get_facecolor(),
                              edgecolor="none", linewidth=0, antialiased=False)
            blank.set_figure(fig)
            blank.draw(renderer)
        for ax in dirty:
            with _hidden(_data_artists(ax)):
                ax.draw(renderer)
            self._footprints[id(ax)] = self._footprint(ax, renderer)

    def _close_over_overlaps(self, axes: list[Axes], dirty: list[Axes]) -> list[Axes]:
        """``dirty`` plus every axes whose footprint overlaps a dirty one (in draw order)."""
        chosen = {id(ax) for ax in dirty}
        grew = bool(chosen)
        while grew:
            grew = False
            for ax in axes:
                if id(ax) in chosen:
                    continue
                box = self._footprints[id(ax)]
                if any(box.overlaps(self._footprints[i]) for i in chosen):
                    chosen.add(id(ax))
                    grew = True
        return [ax for ax in axes if id(ax) in chosen]

    def _footprint(self, ax: Axes, renderer: Any) -> Bbox:
        """The pixels the furniture of ``ax`` may cover: frame, ticks, labels, titles."""
        if not ax.get_visible():
            return Bbox.from_extents(0, 0, 0, 0)
        tick = max((axis.majorTicks[0].get_tick_padding() if axis.majorTicks else 0.0)
                   for axis in ax._axis_map.values())
        pad = 2.0 + tick * self.figure.dpi / 72.0
        boxes = [ax.bbox.padded(pad)]
        for axis in ax._axis_map.values():
            if axis.get_visible():
                box = axis.get_tightbbox(renderer)
                if box is not None and box.width > 0:
                    boxes.append(box)
        for title in (ax.title, ax._left_title, ax._right_title):
            if title.get_visible() and title.get_text():
                boxes.append(title.get_window_extent(renderer))
        return Bbox.union(boxes).padded(1.0)
