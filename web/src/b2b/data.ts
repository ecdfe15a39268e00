// The B2B meetings as the PWA reads and changes them: the viewer's business profile
// and meetings (kept in IndexedDB, so "my meetings" with their tables open on the
// hall's Wi-Fi or none), the meeting plan (public, kept too: the map draws its
// tables offline), the directory, common free slots and the answers to requests.
// Everything else asks the network each time: other companies' profiles move.
import { graphql, OfflineError, ApiError } from "../lib/api";
import { token } from "../lib/auth";
import { announce, getValue, setValue } from "../lib/db";
import type { Point } from "../lib/model";

export type MeetingStatus = "REQUESTED" | "ACCEPTED" | "DECLINED" | "CANCELLED";
export type MeetingOutcome = "HAPPENED" | "NO_SHOW";

export interface Profile {
  id: string;
  company: string;
  country: string;
  sectors: string[];
  offers: string[];
  needs: string[];
  summary: string | null;
  openToMeetings: boolean;
  exhibitor: { id: string; name: string } | null;
}

export type ProfileInput = Omit<Profile, "id" | "exhibitor">;

export interface MeetingTable {
  id: string;
  number: number;
  name: string;
  location: Point;
  hall: { id: string } | null;
}

export interface Meeting {
  id: string;
  status: MeetingStatus;
  outcome: MeetingOutcome | null;
  startsAt: string;
  endsAt: string;
  message: string | null;
  reason: string | null;
  requester: { id: string; company: string };
  invitee: { id: string; company: string };
  table: MeetingTable | null;
}

export interface MeetingDay {
  day: string;
  opensAt: string;
  closesAt: string;
}

export interface MeetingPlan {
  slotMinutes: number;
  requestsPerDay: number;
  days: MeetingDay[];
  tables: MeetingTable[];
}

export interface Slot {
  startsAt: string;
  endsAt: string;
}

export interface Match {
  score: number;
  reasons: string[];
  profile: Profile;
}

/** What "my meetings" shows, as last read (lib/me.ts forgets it at sign-out). */
export interface MyMeetings {
  profile: Profile | null;
  meetings: Meeting[];
}

export const PROFILE_FIELDS = `id company country sectors offers needs summary openToMeetings exhibitor { id name }`;
const TABLE_FIELDS = `id number name location { x y } hall { id }`;
export const MEETING_FIELDS = `id status outcome startsAt endsAt message reason
  requester { id company } invitee { id company } table { ${TABLE_FIELDS} }`;
const PLAN_FIELDS = `slotMinutes requestsPerDay days { day opensAt closesAt } tables { ${TABLE_FIELDS} }`;

const MINE = `query MyMeetings { me { businessProfile { ${PROFILE_FIELDS} } meetings { ${MEETING_FIELDS} } } }`;
const PLAN = `query MeetingPlan { meetingPlan { ${PLAN_FIELDS} } }`;
const SET_PLAN = `mutation SetMeetingPlan($input: MeetingPlanInput!) { setMeetingPlan(input: $input) { ${PLAN_FIELDS} } }`;
const SAVE = `mutation SaveProfile($input: BusinessProfileInput!) { saveBusinessProfile(input: $input) { ${PROFILE_FIELDS} } }`;
const DIRECTORY = `query Directory($filter: BusinessProfileFilter, $after: String) {
  businessProfiles(filter: $filter, first: 30, after: $after) {
    totalCount pageInfo { hasNextPage endCursor } nodes { ${PROFILE_FIELDS} } } }`;
const ONE = `query Profile($id: ID!) { businessProfile(id: $id) { ${PROFILE_FIELDS} } }`;
const FREE = `query FreeSlots($id: ID!, $day: Date) { me { commonFreeSlots(profileId: $id, day: $day) { startsAt endsAt } } }`;
// Asked on its own: a server without matching yet refuses only this query.
const MATCHES = `query Matches { me { meetingMatches(first: 20) { score reasons profile { ${PROFILE_FIELDS} } } } }`;
const REQUEST = `mutation RequestMeeting($input: MeetingRequestInput!) { requestMeeting(input: $input) { ${MEETING_FIELDS} } }`;
const ACCEPT = `mutation Accept($id: ID!) { acceptMeeting(id: $id) { ${MEETING_FIELDS} } }`;
const DECLINE = `mutation Decline($id: ID!, $reason: String) { declineMeeting(id: $id, reason: $reason) { ${MEETING_FIELDS} } }`;
const CANCEL = `mutation Cancel($id: ID!, $reason: String) { cancelMeeting(id: $id, reason: $reason) { ${MEETING_FIELDS} } }`;
const OUTCOME = `mutation Outcome($id: ID!, $outcome: MeetingOutcome!) { recordMeetingOutcome(id: $id, outcome: $outcome) { ${MEETING_FIELDS} } }`;

/** Keys in the kv store; lib/me.ts deletes this one (its B2B_KEY) with the rest of a person's data. */
const MINE_KEY = "b2b";
const PLAN_KEY = "meetingPlan";

/** The stored copy of my meetings (none once signed out). */
export async function storedMeetings(): Promise<MyMeetings | null> {
  if (!token()) return null;
  return (await getValue<MyMeetings>(MINE_KEY)) ?? null;
}

/** My profile and meetings from the server, kept for offline; offline, the kept copy. */
export async function myMeetings(): Promise<{ mine: MyMeetings | null; fresh: boolean }> {
  const bearer = token();
  if (!bearer) return { mine: null, fresh: false };
  try {
    const { me } = await graphql<{ me: { businessProfile: Profile | null; meetings: Meeting[] } | null }>(MINE);
    if (!me || token() !== bearer) return { mine: null, fresh: false };
    const mine = { profile: me.businessProfile, meetings: me.meetings };
    await setValue(MINE_KEY, mine);
    return { mine, fresh: true };
  } catch (error) {
    if (error instanceof OfflineError) return { mine: await storedMeetings(), fresh: false };
    throw error;
  }
}

/** One meeting changed by an answer: the kept copy takes it at once. */
async function keepMeeting(meeting: Meeting): Promise<Meeting> {
  const kept = await storedMeetings();
  if (kept) {
    const others = kept.meetings.filter((m) => m.id !== meeting.id);
    const meetings = [...others, meeting].sort((a, b) => Date.parse(a.startsAt) - Date.parse(b.startsAt));
    await setValue(MINE_KEY, { ...kept, meetings });
  }
  announce("b2b");
  return meeting;
}

/** The meeting plan from the server, kept for the map; offline, the kept one. */
export async function meetingPlan(): Promise<MeetingPlan | null> {
  try {
    const { meetingPlan: plan } = await graphql<{ meetingPlan: MeetingPlan }>(PLAN);
    await setValue(PLAN_KEY, plan);
    return plan;
  } catch (error) {
    if (error instanceof OfflineError || error instanceof ApiError) return (await storedPlan()) ?? null;
    throw error;
  }
}

export function storedPlan(): Promise<MeetingPlan | undefined> {
  return getValue<MeetingPlan>(PLAN_KEY);
}

export interface PlanInput {
  days: { day: string; opens: string; closes: string }[];
  slotMinutes: number;
  requestsPerDay: number;
  tableCount: number;
}

export async function setMeetingPlan(input: PlanInput): Promise<MeetingPlan> {
  const { setMeetingPlan: plan } = await graphql<{ setMeetingPlan: MeetingPlan }>(SET_PLAN, { input });
  await setValue(PLAN_KEY, plan);
  return plan;
}

export async function saveProfile(input: ProfileInput): Promise<Profile> {
  const { saveBusinessProfile: saved } = await graphql<{ saveBusinessProfile: Profile }>(SAVE, { input });
  const kept = await storedMeetings();
  if (kept) await setValue(MINE_KEY, { ...kept, profile: saved });
  announce("b2b");
  return saved;
}

export interface DirectoryFilter {
  search?: string | null;
  sectors?: string[] | null;
  countries?: string[] | null;
  offers?: string[] | null;
  needs?: string[] | null;
}

export interface DirectoryPage {
  totalCount: number;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  nodes: Profile[];
}

export async function directory(
  filter: DirectoryFilter,
  after: string | null,
  signal?: AbortSignal,
): Promise<DirectoryPage> {
  const answer = await graphql<{ businessProfiles: DirectoryPage }>(DIRECTORY, { filter, after }, { signal });
  return answer.businessProfiles;
}

export async function profile(id: string): Promise<Profile | null> {
  return (await graphql<{ businessProfile: Profile | null }>(ONE, { id })).businessProfile;
}

export async function freeSlots(profileId: string, day: string): Promise<Slot[]> {
  const { me } = await graphql<{ me: { commonFreeSlots: Slot[] } | null }>(FREE, { id: profileId, day });
  return me?.commonFreeSlots ?? [];
}

export async function matches(): Promise<Match[]> {
  const { me } = await graphql<{ me: { meetingMatches: Match[] } | null }>(MATCHES);
  return me?.meetingMatches ?? [];
}

export async function requestMeeting(profileId: string, startsAt: string, message: string | null): Promise<Meeting> {
  const input = { profileId, startsAt, message };
  const { requestMeeting: meeting } = await graphql<{ requestMeeting: Meeting }>(REQUEST, { input });
  return keepMeeting(meeting);
}

export type Answer =
  | { kind: "accept" }
  | { kind: "decline"; reason: string | null }
  | { kind: "cancel"; reason: string | null }
  | { kind: "outcome"; outcome: MeetingOutcome };

/** Accept, decline, cancel or say how it went; the changed meeting. */
export async function answerMeeting(id: string, answer: Answer): Promise<Meeting> {
  let meeting: Meeting;
  if (answer.kind === "accept") {
    meeting = (await graphql<{ acceptMeeting: Meeting }>(ACCEPT, { id })).acceptMeeting;
  } else if (answer.kind === "decline") {
    meeting = (await graphql<{ declineMeeting: Meeting }>(DECLINE, { id, reason: answer.reason })).declineMeeting;
  } else if (answer.kind === "cancel") {
    meeting = (await graphql<{ cancelMeeting: Meeting }>(CANCEL, { id, reason: answer.reason })).cancelMeeting;
  } else {
    const variables = { id, outcome: answer.outcome };
    meeting = (await graphql<{ recordMeetingOutcome: Meeting }>(OUTCOME, variables)).recordMeetingOutcome;
  }
  return keepMeeting(meeting);
}
