// The shapes of the offline copy, as lib/agenda-sync.ts asks for them: both
// languages of every text, so switching language needs no network.

export interface Point {
  x: number;
  y: number;
}

export interface HallRef {
  id: string;
  name: string;
  level?: number;
}

export interface TrackRecord {
  id: string;
  color: string | null;
  nameFr: string;
  nameEn: string;
}

export interface SessionRecord {
  id: string;
  kind: string;
  status: "SCHEDULED" | "CHANGED" | "CANCELLED";
  startsAt: string;
  endsAt: string;
  capacity: number | null;
  version: number;
  updatedAt: string;
  titleFr: string;
  titleEn: string;
  abstractFr: string | null;
  abstractEn: string | null;
  track: TrackRecord | null;
  room: { id: string; name: string; capacity: number | null; center: Point | null; hall: HallRef | null } | null;
  booth: { id: string; code: string; center: Point; hall: HallRef } | null;
  speakers: { id: string }[];
  exhibitor: { id: string } | null;
}

export interface BoothRecord {
  id: string;
  code: string;
  center: Point;
  hall: HallRef;
}

export interface ExhibitorRecord {
  id: string;
  name: string;
  country: string;
  sectors: string[];
  website: string | null;
  descriptionFr: string | null;
  descriptionEn: string | null;
  booths: BoothRecord[];
}

export interface SpeakerRecord {
  id: string;
  name: string;
  organisation: string | null;
  jobTitle: string | null;
  bioFr: string | null;
  bioEn: string | null;
}

export interface EventRecord {
  id: string;
  nameFr: string;
  nameEn: string;
  timezone: string;
  venueName: string;
  city: string;
  days: string[];
  tracks: TrackRecord[];
}

export interface NoticeRecord {
  id: string;
  kind: string;
  priority: "NORMAL" | "URGENT";
  createdAt: string;
  titleFr: string;
  titleEn: string;
  bodyFr: string;
  bodyEn: string;
  session: { id: string } | null;
  exhibitor: { id: string } | null;
  /** MEETING_* notices: the B2B meeting it is about (absent in notices kept before). */
  meeting?: { id: string } | null;
  read?: boolean;
}
