// Signing in (badge code, or a code mailed to an address) and out, over the API.
// Each sign-in hands the token and the person to lib/me.ts, which forgets whoever
// was on the phone before; lib/live.ts then reconnects with the new token.
import { ApiError, graphql, OfflineError } from "./api";
import { ME_FIELDS, signInLocally, signOutLocally, type MeRecord } from "./me";

const BADGE = `mutation BadgeSignIn($code: String!) {
  signInWithBadge(badgeCode: $code) { token me { ${ME_FIELDS} } }
}`;
const REQUEST_CODE = `mutation RequestCode($email: String!) { requestSignInCode(email: $email) }`;
const CODE = `mutation CodeSignIn($email: String!, $code: String!) {
  signIn(email: $email, code: $code) { token me { ${ME_FIELDS} } }
}`;
const SIGN_OUT = `mutation SignOut { signOut }`;

interface AuthPayload {
  token: string;
  me: MeRecord;
}

export async function signInWithBadge(badgeCode: string): Promise<MeRecord> {
  const { signInWithBadge: answer } = await graphql<{ signInWithBadge: AuthPayload }>(BADGE, {
    code: badgeCode.trim(),
  });
  await signInLocally(answer.token, answer.me);
  return answer.me;
}

export async function requestSignInCode(email: string): Promise<void> {
  await graphql(REQUEST_CODE, { email: email.trim() });
}

export async function signInWithCode(email: string, code: string): Promise<MeRecord> {
  const { signIn: answer } = await graphql<{ signIn: AuthPayload }>(CODE, {
    email: email.trim(),
    code: code.replace(/\s/g, ""),
  });
  await signInLocally(answer.token, answer.me);
  return answer.me;
}

/**
 * Revoke the token on the server, then forget it here. Offline (or if the server
 * refuses), the phone forgets it all the same: a shared phone must not keep a
 * person's data because the network is down. The token then dies at its expiry.
 */
export async function signOut(): Promise<{ revoked: boolean }> {
  let revoked = true;
  // A phone handed to someone else must stop buzzing with this person's notices: drop
  // its push subscription while the token can still tell the server (never blocks).
  await import("./push").then((push) => push.turnOff()).catch(() => undefined);
  try {
    await graphql(SIGN_OUT);
  } catch (error) {
    if (!(error instanceof OfflineError || error instanceof ApiError)) throw error;
    revoked = false;
  }
  await signOutLocally();
  return { revoked };
}
