// Who is signed in on this phone: the bearer token, kept in localStorage so every
// tab and the service worker's pages share it. The person's details live in the
// offline store (lib/db.ts) with their schedule; signing in or out goes through
// lib/me.ts, which also forgets the previous person's data.

const TOKEN_KEY = "salon.token";
const CHANGED = "salon-auth";

export function token(): string | null {
  return localStorage.getItem(TOKEN_KEY);
}

export function setToken(value: string | null): void {
  if (value === token()) return;
  if (value) localStorage.setItem(TOKEN_KEY, value);
  else localStorage.removeItem(TOKEN_KEY);
  window.dispatchEvent(new Event(CHANGED));
}

/** Called when the token changes, in this tab or in another one (which shares the store). */
export function onAuthChange(listener: () => void): () => void {
  const fromOtherTab = (event: StorageEvent): void => {
    if (event.key === TOKEN_KEY || event.key === null) listener();
  };
  window.addEventListener(CHANGED, listener);
  window.addEventListener("storage", fromOtherTab);
  return () => {
    window.removeEventListener(CHANGED, listener);
    window.removeEventListener("storage", fromOtherTab);
  };
}

/**
 * Where an anonymous person goes when they press something that needs an account:
 * the sign-in screen, with the way back (slashes kept readable: /signin?next=/session/ses-001).
 */
export function signInPath(back: string = location.pathname + location.search): string {
  return `/signin?next=${encodeURIComponent(back).replace(/%2F/g, "/")}`;
}
