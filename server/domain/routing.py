"""Wayfinding: the shortest walk between two places over the walkway graph."""

from __future__ import annotations

import heapq
import math
from collections import defaultdict
from dataclasses import dataclass

from server.db.queries import agenda as agenda_sql
from server.db.queries import venue as sql
from server.db.queries.common import Executor
from server.db.queries.venue import WalkwayEdge, WalkwayNode
from server.domain.errors import not_found

#: A crowded fair walks slower than a street: about 4.2 km/h.
WALKING_METRES_PER_MINUTE = 70.0


@dataclass(frozen=True, slots=True)
class Route:
    distance_meters: float
    points: list[tuple[float, float]]

    @property
    def walking_minutes(self) -> float:
        return self.distance_meters / WALKING_METRES_PER_MINUTE


class WalkwayGraph:
    def __init__(self, nodes: list[WalkwayNode], edges: list[WalkwayEdge]) -> None:
        self.nodes = {n.id: n for n in nodes}
        # The graph is rebuilt whenever the agenda changes, so remembered walks never
        # outlive the venue they were measured on.
        self._walks: dict[tuple[str, str], Route | None] = {}
        self.neighbours: dict[str, list[tuple[str, float]]] = defaultdict(list)
        for edge in edges:
            if edge.a not in self.nodes or edge.b not in self.nodes:
                continue  # an edge to a place that was removed: not walkable
            length = edge.length if edge.length is not None else self._distance(edge.a, edge.b)
            self.neighbours[edge.a].append((edge.b, length))
            self.neighbours[edge.b].append((edge.a, length))

    def _distance(self, a: str, b: str) -> float:
        na, nb = self.nodes[a], self.nodes[b]
        return math.hypot(na.x - nb.x, na.y - nb.y)

    def shortest(self, start: str, goal: str) -> Route | None:
        """The shortest walk; None when the two places are not connected."""
        key = (start, goal)
        if key not in self._walks:
            self._walks[key] = self._dijkstra(start, goal)
        return self._walks[key]

    def _dijkstra(self, start: str, goal: str) -> Route | None:
        best = {start: 0.0}
        previous: dict[str, str] = {}
        frontier = [(0.0, start)]
        while frontier:
            distance, node = heapq.heappop(frontier)
            if node == goal:
                return Route(distance, self._points(previous, goal))
            if distance > best[node]:
                continue
            for neighbour, length in self.neighbours[node]:
                candidate = distance + length
                if candidate < best.get(neighbour, math.inf):
                    best[neighbour] = candidate
                    previous[neighbour] = node
                    heapq.heappush(frontier, (candidate, neighbour))
        return None

    def _points(self, previous: dict[str, str], goal: str) -> list[tuple[float, float]]:
        path = [goal]
        while path[-1] in previous:
            path.append(previous[path[-1]])
        return [(self.nodes[n].x, self.nodes[n].y) for n in reversed(path)]


async def load_graph(db: Executor) -> WalkwayGraph:
    return WalkwayGraph(await sql.walkway_nodes(db), await sql.walkway_edges(db))


class WalkwayCache:
    """The walkway graph of one process, rebuilt when the agenda version moves."""

    def __init__(self) -> None:
        self._version = -1
        self._graph = WalkwayGraph([], [])

    async def graph(self, db: Executor) -> WalkwayGraph:
        version = await agenda_sql.agenda_version(db)
        if version != self._version:
            self._graph, self._version = await load_graph(db), version
        return self._graph


async def route(db: Executor, walkways: WalkwayCache, from_id: str, to_id: str) -> Route | None:
    """NOT_FOUND when either end is not a booth, room or point of interest."""
    for place_id in (from_id, to_id):
        if await sql.place_kind(db, place_id) is None:
            raise not_found(f"No booth, room or point of interest has the id {place_id!r}.")
    graph = await walkways.graph(db)
    return graph.shortest(from_id, to_id)
