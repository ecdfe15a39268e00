import type { EventRecord, ExhibitorRecord, SessionRecord, SpeakerRecord } from "./model";

/** The answer of the Sync query (lib/agenda-sync.ts). */
export interface AgendaPatch {
  agendaChanges: {
    version: string;
    complete: boolean;
    venueChanged: boolean;
    sessions: SessionRecord[];
    removedSessionIds: string[];
    exhibitors: ExhibitorRecord[];
    removedExhibitorIds: string[];
    speakers: SpeakerRecord[];
    removedSpeakerIds: string[];
  };
  event: EventRecord;
}
