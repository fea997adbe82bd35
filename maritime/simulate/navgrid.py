"""A navigable-water grid over the Black Sea, for checking and repairing sea lanes.

Cells are 0.02° (about 2 km). A cell is *sea* if the land mask says so at its
centre, and *clear* if it and its neighbours within ``margin_cells`` are sea, so
that a path through clear cells keeps about 2 km from any coast. Repairs search
the clear cells with A*, then pull the result taut so it does not zig-zag.
"""

from __future__ import annotations

import heapq
import math
from functools import lru_cache

import numpy as np

from maritime.geo.geodesy import densify, haversine_m
from maritime.geo.land import is_land

LAT_MIN, LAT_MAX = 40.80, 47.00
LON_MIN, LON_MAX = 27.20, 41.95
CELL_DEG = 0.02
SAMPLE_STEP_M = 400.0


class NavGrid:
    def __init__(self, margin_cells: int = 1):
        self.lats = np.arange(LAT_MIN, LAT_MAX + CELL_DEG / 2, CELL_DEG)
        self.lons = np.arange(LON_MIN, LON_MAX + CELL_DEG / 2, CELL_DEG)
        glat, glon = np.meshgrid(self.lats, self.lons, indexing="ij")
        self.sea = ~is_land(glat, glon)
        clear = self.sea.copy()
        for di in range(-margin_cells, margin_cells + 1):
            for dj in range(-margin_cells, margin_cells + 1):
                clear &= np.roll(np.roll(self.sea, di, axis=0), dj, axis=1)
        clear[[0, -1], :] = False
        clear[:, [0, -1]] = False
        self.clear = clear

    def cell(self, lat: float, lon: float) -> tuple[int, int]:
        i = int(round((lat - LAT_MIN) / CELL_DEG))
        j = int(round((lon - LON_MIN) / CELL_DEG))
        return min(max(i, 0), len(self.lats) - 1), min(max(j, 0), len(self.lons) - 1)

    def segment_at_sea(self, a: tuple[float, float], b: tuple[float, float]) -> bool:
        """True if the straight segment a→b (lat, lon) never touches land per the 1 km mask."""
        lat, lon = densify(np.array([a[0], b[0]]), np.array([a[1], b[1]]), SAMPLE_STEP_M)
        return not np.any(is_land(lat, lon))

    def segment_clear(self, a: tuple[float, float], b: tuple[float, float],
                      inshore_ends_m: float = 0.0) -> bool:
        """True if a→b is at sea and, but for ``inshore_ends_m`` at each end, lies in clear cells."""
        lat, lon = densify(np.array([a[0], b[0]]), np.array([a[1], b[1]]), SAMPLE_STEP_M)
        if np.any(is_land(lat, lon)):
            return False
        along = np.linspace(0.0, 1.0, len(lat)) * haversine_m(a[0], a[1], b[0], b[1])
        offshore = (along >= inshore_ends_m) & (along <= along[-1] - inshore_ends_m)
        i = np.clip(np.round((lat[offshore] - LAT_MIN) / CELL_DEG).astype(int), 0, len(self.lats) - 1)
        j = np.clip(np.round((lon[offshore] - LON_MIN) / CELL_DEG).astype(int), 0, len(self.lons) - 1)
        return bool(np.all(self.clear[i, j]))

    def nearest_clear_cell(self, lat: float, lon: float) -> tuple[int, int]:
        i0, j0 = self.cell(lat, lon)
        if self.clear[i0, j0]:
            return i0, j0
        for radius in range(1, 40):
            lo_i, hi_i = max(i0 - radius, 0), min(i0 + radius, len(self.lats) - 1)
            lo_j, hi_j = max(j0 - radius, 0), min(j0 + radius, len(self.lons) - 1)
            window = self.clear[lo_i:hi_i + 1, lo_j:hi_j + 1]
            if window.any():
                ii, jj = np.nonzero(window)
                best = np.argmin((ii + lo_i - i0) ** 2 + (jj + lo_j - j0) ** 2)
                return int(ii[best] + lo_i), int(jj[best] + lo_j)
        raise ValueError(f"no navigable water near {lat:.3f}, {lon:.3f}")

    def astar(self, a: tuple[float, float], b: tuple[float, float]) -> list[tuple[float, float]]:
        """A path a→b through clear cells (a and b themselves may be close inshore)."""
        start, goal = self.nearest_clear_cell(*a), self.nearest_clear_cell(*b)
        cos_lat = math.cos(math.radians((a[0] + b[0]) / 2))
        steps = [(di, dj, math.hypot(di, dj * cos_lat)) for di in (-1, 0, 1) for dj in (-1, 0, 1) if di or dj]

        def h(cell: tuple[int, int]) -> float:
            return math.hypot(cell[0] - goal[0], (cell[1] - goal[1]) * cos_lat)

        came: dict[tuple[int, int], tuple[int, int]] = {}
        cost = {start: 0.0}
        frontier = [(h(start), start)]
        clear = self.clear
        while frontier:
            _, current = heapq.heappop(frontier)
            if current == goal:
                break
            base = cost[current]
            for di, dj, step in steps:
                nxt = (current[0] + di, current[1] + dj)
                if not clear[nxt]:
                    continue
                new_cost = base + step
                if new_cost < cost.get(nxt, math.inf):
                    cost[nxt] = new_cost
                    came[nxt] = current
                    heapq.heappush(frontier, (new_cost + h(nxt), nxt))
        else:
            raise ValueError(f"no sea path from {a} to {b}")
        cells = [goal]
        while cells[-1] != start:
            cells.append(came[cells[-1]])
        cells.reverse()
        points = [a] + [(float(self.lats[i]), float(self.lons[j])) for i, j in cells] + [b]
        return self.pull_taut(points)

    def pull_taut(self, points: list[tuple[float, float]]) -> list[tuple[float, float]]:
        """Drop every vertex that a clear straight segment can skip (end legs need only be at sea)."""
        out = [points[0]]
        i = 0
        last = len(points) - 1
        while i < last:
            j = i + 1
            while j < last:
                check = self.segment_at_sea if (i == 0 or j + 1 == last) else self.segment_clear
                if not check(points[i], points[j + 1]):
                    break
                j += 1
            out.append(points[j])
            i = j
        return out


@lru_cache(maxsize=1)
def nav_grid() -> NavGrid:
    """The shared grid (built once per process, about a second)."""
    return NavGrid()
