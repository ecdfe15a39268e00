// What the console's pickers offer: sessions and exhibitors of the offline copy, as
// lines a person can tell apart on a phone, and the venue's rooms.
import { ApiError, graphql, OfflineError } from "../lib/api";
import { allSessions } from "../lib/db";
import { dayName, fairDay, timeRange } from "../lib/fair-time";
import { lang, pick, strings } from "../lib/i18n";
import type { ExhibitorRecord, SessionRecord } from "../lib/model";
import { placeName } from "../components/session-card";
import type { PickItem } from "./pick-list";

const s = strings({
  fr: { changed: "modifiée", cancelled: "annulée" },
  en: { changed: "changed", cancelled: "cancelled" },
});

export interface RoomChoice {
  id: string;
  name: string;
  hall: string | null;
}

const ROOMS = `query Rooms { venue { halls { name rooms { id name } } } }`;

/** "jeu. 3 déc. 09:30–10:00 · Cérémonie d'ouverture", then the room. */
export function sessionItems(sessions: SessionRecord[]): PickItem[] {
  return sessions.map((x) => ({
    id: x.id,
    label: `${dayName(fairDay(x.startsAt), lang(), "short")} ${timeRange(x.startsAt, x.endsAt)} · ${pick(x.titleFr, x.titleEn)}`,
    detail: [placeName(x), x.status === "CHANGED" ? s("changed") : x.status === "CANCELLED" ? s("cancelled") : ""].filter(Boolean).join(" · "),
  }));
}

export function exhibitorItems(exhibitors: ExhibitorRecord[]): PickItem[] {
  return exhibitors.map((x) => ({
    id: x.id,
    label: x.name,
    detail: x.booths.map((b) => b.code).join(", "),
  }));
}

/** The venue's rooms from the server; offline, the rooms the offline copy's sessions use. */
export async function roomChoices(): Promise<RoomChoice[]> {
  try {
    const { venue } = await graphql<{ venue: { halls: { name: string; rooms: { id: string; name: string }[] }[] } }>(
      ROOMS,
    );
    return venue.halls.flatMap((hall) => hall.rooms.map((room) => ({ ...room, hall: hall.name })));
  } catch (error) {
    if (!(error instanceof OfflineError || error instanceof ApiError)) throw error;
  }
  const found = new Map<string, RoomChoice>();
  for (const x of await allSessions()) {
    if (x.room) found.set(x.room.id, { id: x.room.id, name: x.room.name, hall: x.room.hall?.name ?? null });
  }
  return [...found.values()].sort((a, b) => a.name.localeCompare(b.name));
}
