// The door of a screen kept for one role (console, staff, speaker): who is signed in,
// or what to show while nobody is, and the way to sign in.
import { html, type TemplateResult } from "lit";
import { token } from "../lib/auth";
import { strings } from "../lib/i18n";
import { currentMe, type MeRecord } from "../lib/me";

const s = strings({
  fr: { signInLink: "Se connecter" },
  en: { signInLink: "Sign in" },
});

/**
 * The signed-in person; else "loading" while a token is held but the person is not
 * read yet (refreshMe() announces "me" when it is), "signed-out" without a token.
 */
export async function signedInPerson(): Promise<MeRecord | "loading" | "signed-out"> {
  return (await currentMe()) ?? (token() ? "loading" : "signed-out");
}

/** Under the screen's heading: why it needs a sign-in, and the link to it. */
export function signInPrompt(heading: TemplateResult, why: string): TemplateResult {
  return html`${heading}
    <p>${why}</p>
    <a class="button primary" href="/signin">${s("signInLink")}</a>`;
}
