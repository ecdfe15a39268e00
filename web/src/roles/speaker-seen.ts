// What the speaker's phone last showed of each of their sessions (room and times),
// kept in IndexedDB ("speakerSeen"), so that a move made by the organisers stays
// highlighted ("Salle : A → B") until the speaker says they saw it, even across
// reloads and days offline. The first sighting of a session is its baseline.
import { getValue, setValue } from "../lib/db";
import type { SessionRecord } from "../lib/model";
import { placeName } from "../components/session-card";

const KEY = "speakerSeen";

export interface Seen {
  /** The room's (or booth's) id: what decides whether the place moved. */
  placeId: string;
  /** Its name as shown then, to say where the session was. */
  place: string;
  startsAt: string;
  endsAt: string;
}

type SeenMap = Record<string, Seen>;

export interface Moved {
  before: Seen;
  now: Seen;
  place: boolean;
  time: boolean;
}

export function seenOf(session: SessionRecord): Seen {
  return {
    placeId: session.room?.id ?? session.booth?.id ?? "",
    place: placeName(session),
    startsAt: session.startsAt,
    endsAt: session.endsAt,
  };
}

function compare(before: Seen, now: Seen): Moved | null {
  const place = before.placeId !== now.placeId;
  // Instants, not strings: the same time may come back with another offset's spelling.
  const time = Date.parse(before.startsAt) !== Date.parse(now.startsAt) || Date.parse(before.endsAt) !== Date.parse(now.endsAt);
  return place || time ? { before, now, place, time } : null;
}

/** What moved since the phone last showed each session, by session id; first sightings become baselines. */
export async function movedSinceSeen(sessions: SessionRecord[]): Promise<Map<string, Moved>> {
  const seen = (await getValue<SeenMap>(KEY)) ?? {};
  const moved = new Map<string, Moved>();
  let added = false;
  for (const session of sessions) {
    const now = seenOf(session);
    const before = seen[session.id];
    if (!before) {
      seen[session.id] = now;
      added = true;
      continue;
    }
    const change = compare(before, now);
    if (change) moved.set(session.id, change);
  }
  if (added) await setValue(KEY, seen);
  return moved;
}

/** The speaker saw the move: what the session is now becomes what was seen. */
export async function acknowledge(session: SessionRecord): Promise<void> {
  const seen = (await getValue<SeenMap>(KEY)) ?? {};
  seen[session.id] = seenOf(session);
  await setValue(KEY, seen);
}
