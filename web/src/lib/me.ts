// The signed-in person as the phone last saw them: roles, schedule (bookmarks and
// registrations, with conflicts), followed exhibitors. Kept in IndexedDB so "My
// schedule" opens offline; refreshed on start, on sign-in and after each change.
import { ApiError, graphql, OfflineError } from "./api";
import { onAuthChange, setToken, token } from "./auth";
import { announce, getValue, setValue } from "./db";

export interface MeRecord {
  id: string;
  name: string | null;
  email: string | null;
  roles: string[];
  calendarUrl: string;
  schedule: {
    sessions: { id: string; viewerHasBookmarked: boolean; viewerRegistration: string | null }[];
    conflicts: { first: { id: string }; second: { id: string }; kind: string; walkingMinutes: number | null }[];
  };
  followedExhibitors: { id: string }[];
  speaker: { id: string } | null;
  exhibitor: { id: string; name: string } | null;
}

export const ME_FIELDS = `id name email roles calendarUrl
  schedule {
    sessions { id viewerHasBookmarked viewerRegistration }
    conflicts { first { id } second { id } kind walkingMinutes }
  }
  followedExhibitors { id }
  speaker { id }
  exhibitor { id name }`;

export async function currentMe(): Promise<MeRecord | null> {
  if (!token()) return null;
  return (await getValue<MeRecord>("me")) ?? null;
}

/** Ask the server who we are; offline, keep what we had. */
export async function refreshMe(): Promise<MeRecord | null> {
  if (!token()) {
    await setValue("me", null);
    announce("me");
    return null;
  }
  try {
    const { me } = await graphql<{ me: MeRecord | null }>(`query Me { me { ${ME_FIELDS} } }`);
    if (!me) {
      setToken(null); // the server no longer knows this token
      return null;
    }
    await setValue("me", me);
    announce("me");
    return me;
  } catch (error) {
    if (error instanceof OfflineError || error instanceof ApiError) return currentMe();
    throw error;
  }
}

export async function startPersonalSync(): Promise<void> {
  onAuthChange(() => void refreshMe());
  window.addEventListener("online", () => void refreshMe());
  await refreshMe();
}
