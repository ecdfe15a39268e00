// Search: the server's typo-tolerant search when online; offline, a plain
// accent-insensitive match over the offline copy, so the box never goes dead.
import { graphql, OfflineError } from "./api";
import type { ExhibitorRecord, SessionRecord, SpeakerRecord } from "./model";

export interface SearchHits {
  sessionIds: string[];
  exhibitorIds: string[];
  speakerIds: string[];
  offline: boolean;
}

const SEARCH = `query Search($text: String!) {
  search(text: $text, first: 20) { sessions { id } exhibitors { id } speakers { id } }
}`;

export function fold(text: string): string {
  return text.normalize("NFD").replace(/\p{Diacritic}/gu, "").toLowerCase();
}

export async function search(
  text: string,
  local: { sessions: SessionRecord[]; exhibitors: ExhibitorRecord[]; speakers: SpeakerRecord[] },
  signal?: AbortSignal,
): Promise<SearchHits> {
  try {
    const { search: found } = await graphql<{
      search: { sessions: { id: string }[]; exhibitors: { id: string }[]; speakers: { id: string }[] };
    }>(SEARCH, { text }, { signal });
    return {
      sessionIds: found.sessions.map((hit) => hit.id),
      exhibitorIds: found.exhibitors.map((hit) => hit.id),
      speakerIds: found.speakers.map((hit) => hit.id),
      offline: false,
    };
  } catch (error) {
    if (!(error instanceof OfflineError)) throw error;
  }
  const wanted = fold(text.trim());
  const has = (...texts: (string | null)[]): boolean => texts.some((t) => t && fold(t).includes(wanted));
  return {
    sessionIds: local.sessions.filter((x) => has(x.titleFr, x.titleEn, x.abstractFr, x.abstractEn)).map((x) => x.id),
    exhibitorIds: local.exhibitors.filter((x) => has(x.name, x.descriptionFr, ...x.sectors)).map((x) => x.id),
    speakerIds: local.speakers.filter((x) => has(x.name, x.organisation)).map((x) => x.id),
    offline: true,
  };
}
