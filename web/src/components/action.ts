// What an attendee's button that asks the server (follow, register) does around its
// request: an anonymous person is sent to sign in first; while it runs the button is
// busy; a refusal becomes one sentence under it, in the same words everywhere.
import { navigate } from "../app/router";
import { ApiError, OfflineError } from "../lib/api";
import { signInPath } from "../lib/auth";
import { strings } from "../lib/i18n";

const s = strings({
  fr: {
    failed: "Le serveur a refusé : {message}",
    lost: "Le réseau a coupé ; réessayez.",
  },
  en: {
    failed: "The server refused: {message}",
    lost: "The network dropped; try again.",
  },
});

/** True after sending an anonymous person to sign in (they come back here after). */
export function sentToSignIn(signedIn: boolean): boolean {
  if (!signedIn) navigate(signInPath());
  return !signedIn;
}

export interface Acting {
  busy: boolean;
  problem: string;
}

/**
 * Runs `work` with `host` busy. `refused` may word a contract code of its own (""
 * to say nothing); any other refusal shows the server's message.
 */
export async function act(
  host: Acting,
  work: () => Promise<unknown>,
  refused: (error: ApiError) => string | null = () => null,
): Promise<void> {
  host.busy = true;
  host.problem = "";
  try {
    await work();
  } catch (error) {
    if (error instanceof OfflineError) host.problem = s("lost");
    else if (error instanceof ApiError) host.problem = refused(error) ?? s("failed", { message: error.message });
    else throw error;
  } finally {
    host.busy = false;
  }
}
