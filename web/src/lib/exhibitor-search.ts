// Searching the exhibitor directory: the server's typo-tolerant search when online
// ("fondrie" finds "Fonderie"), a plain accent-insensitive match over the offline
// copy otherwise, so the box never goes dead.
import { graphql, OfflineError } from "./api";
import type { ExhibitorRecord } from "./model";
import { fold } from "./search";

const SEARCH = `query ExhibitorSearch($text: String!) {
  exhibitors(filter: { search: $text }, first: 200) { nodes { id } }
}`;

export interface ExhibitorHits {
  ids: Set<string>;
  offline: boolean;
}

export async function searchExhibitors(
  text: string,
  local: ExhibitorRecord[],
  /** Extra words a record answers to offline (its country's name in the current language). */
  alsoKnownAs: (exhibitor: ExhibitorRecord) => string[],
  signal?: AbortSignal,
): Promise<ExhibitorHits> {
  try {
    const { exhibitors } = await graphql<{ exhibitors: { nodes: { id: string }[] } }>(SEARCH, { text }, { signal });
    return { ids: new Set(exhibitors.nodes.map((x) => x.id)), offline: false };
  } catch (error) {
    if (!(error instanceof OfflineError)) throw error;
  }
  const wanted = fold(text.trim());
  const matches = (x: ExhibitorRecord): boolean =>
    [x.name, x.descriptionFr, x.descriptionEn, x.country, ...x.sectors, ...x.booths.map((b) => b.code), ...alsoKnownAs(x)]
      .some((t) => !!t && fold(t).includes(wanted));
  return { ids: new Set(local.filter(matches).map((x) => x.id)), offline: true };
}
