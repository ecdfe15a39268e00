// Following an exhibitor (their demos and announcements reach the follower). Online
// only, like registrations: the list lives on the server; `me` is refreshed after.
import { graphql } from "./api";
import { refreshMe, type MeRecord } from "./me";

const FOLLOW = `mutation Follow($id: ID!) { followExhibitor(exhibitorId: $id) { id } }`;
const UNFOLLOW = `mutation Unfollow($id: ID!) { unfollowExhibitor(exhibitorId: $id) { id } }`;

export function follows(me: MeRecord | null, exhibitorId: string): boolean {
  return !!me?.followedExhibitors.some((x) => x.id === exhibitorId);
}

export async function setFollow(exhibitorId: string, on: boolean): Promise<void> {
  await graphql(on ? FOLLOW : UNFOLLOW, { id: exhibitorId });
  await refreshMe();
}
