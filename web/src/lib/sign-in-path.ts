// Where an anonymous person goes when they press something that needs an account:
// the sign-in screen, with the way back to where they were.

export function signInPath(back: string = location.pathname + location.search): string {
  // Slashes stay readable (/signin?next=/session/ses-001); anything else is escaped.
  return `/signin?next=${encodeURIComponent(back).replace(/%2F/g, "/")}`;
}
