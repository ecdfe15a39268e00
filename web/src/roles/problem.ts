// What went wrong with a form sent to the server, said plainly: one sentence per
// error code of the contract in the reader's language, then the server's own words,
// which name the value it refused (a time outside the fair's days, a busy room…).
import { html, nothing, type TemplateResult } from "lit";
import { ApiError, OfflineError } from "../lib/api";
import { strings } from "../lib/i18n";

const s = strings({
  fr: {
    OFFLINE: "Pas de réseau : rien n'a été envoyé. Réessayez une fois connecté.",
    BAD_USER_INPUT: "Le serveur a refusé ces valeurs.",
    FORBIDDEN: "Vous n'avez pas le droit de faire cela.",
    UNAUTHENTICATED: "Connectez-vous d'abord.",
    NOT_FOUND: "Introuvable.",
    CONFLICT: "Impossible en l'état.",
    RATE_LIMITED: "Trop de demandes : patientez un peu.",
    OTHER: "Le serveur n'a pas pu le faire.",
  },
  en: {
    OFFLINE: "No network: nothing was sent. Try again once online.",
    BAD_USER_INPUT: "The server refused these values.",
    FORBIDDEN: "You are not allowed to do this.",
    UNAUTHENTICATED: "Sign in first.",
    NOT_FOUND: "Not found.",
    CONFLICT: "Not possible as things stand.",
    RATE_LIMITED: "Too many requests: wait a little.",
    OTHER: "The server could not do it.",
  },
});

const CODES = ["BAD_USER_INPUT", "FORBIDDEN", "UNAUTHENTICATED", "NOT_FOUND", "CONFLICT", "RATE_LIMITED"] as const;
type Code = (typeof CODES)[number];

export interface Problem {
  code: string;
  /** The server's message, when it gave one. */
  detail: string | null;
}

/** A Problem for an error thrown by `graphql()`; anything else is rethrown. */
export function problemOf(error: unknown): Problem {
  if (error instanceof OfflineError) return { code: "OFFLINE", detail: null };
  if (error instanceof ApiError) return { code: error.code, detail: error.message };
  throw error;
}

/** A problem found before sending (a form's own check), in the reader's words. */
export function localProblem(message: string): Problem {
  return { code: "LOCAL", detail: message };
}

function headline(code: string): string {
  if (code === "OFFLINE") return s("OFFLINE");
  return (CODES as readonly string[]).includes(code) ? s(code as Code) : s("OTHER");
}

/**
 * An alert under a form; read out by screen readers when it appears. `headlines` says
 * what a code means for this form ("that slot was just taken" for CONFLICT, say).
 */
export function problemBox(
  problem: Problem | null,
  headlines: Partial<Record<string, string>> = {},
): TemplateResult | typeof nothing {
  if (!problem) return nothing;
  const told = headlines[problem.code] ?? (problem.code === "LOCAL" ? null : headline(problem.code));
  return html`<div class="problem" role="alert" data-code=${problem.code}>
    ${told ? html`<strong>${told}</strong>` : nothing}
    ${problem.detail ? html`<span>${problem.detail}</span>` : nothing}
  </div>`;
}
