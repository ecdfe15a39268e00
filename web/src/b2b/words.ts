// What every screen of the B2B area shares: its own navigation (my meetings, the
// companies, my profile), the words of a meeting's status and outcome, and the
// styles of its cards and badges.
import { css, html, nothing, type TemplateResult } from "lit";
import { strings } from "../lib/i18n";
import type { MeetingOutcome, MeetingStatus } from "./data";

export const w = strings({
  fr: {
    area: "Rendez-vous B2B",
    meetings: "Mes rendez-vous",
    companies: "Entreprises",
    profile: "Mon profil",
    status_REQUESTED: "En attente",
    status_ACCEPTED: "Acceptée",
    status_DECLINED: "Refusée",
    status_CANCELLED: "Annulée",
    outcome_HAPPENED: "A eu lieu",
    outcome_NO_SHOW: "Absence",
    exhibitor: "Exposant",
    times: "Heures de Casablanca ({offset})",
    offline: "Hors ligne : les rendez-vous B2B demandent le réseau.",
    signIn: "Les rendez-vous B2B sont réservés aux participants connectés. Connectez-vous avec votre badge.",
    noProfile: "Créez d'abord votre profil d'entreprise : il permet de demander et de recevoir des rendez-vous.",
    makeProfile: "Créer mon profil",
  },
  en: {
    area: "B2B meetings",
    meetings: "My meetings",
    companies: "Companies",
    profile: "My profile",
    status_REQUESTED: "Waiting",
    status_ACCEPTED: "Accepted",
    status_DECLINED: "Declined",
    status_CANCELLED: "Cancelled",
    outcome_HAPPENED: "Took place",
    outcome_NO_SHOW: "No-show",
    exhibitor: "Exhibitor",
    times: "Casablanca time ({offset})",
    offline: "Offline: B2B meetings need the network.",
    signIn: "B2B meetings are for signed-in participants. Sign in with your badge.",
    noProfile: "First write your company profile: it lets you ask for meetings and receive requests.",
    makeProfile: "Write my profile",
  },
});

const AREA: { path: string; key: "meetings" | "companies" | "profile" }[] = [
  { path: "/b2b", key: "meetings" },
  { path: "/b2b/companies", key: "companies" },
  { path: "/b2b/profile", key: "profile" },
];

/** The B2B area's own navigation, under each of its screens' headings. */
export function b2bNav(current: string): TemplateResult {
  return html`<nav class="b2b-nav" aria-label=${w("area")}>
    ${AREA.map(
      (item) =>
        html`<a class="button" href=${item.path} aria-current=${item.path === current ? "page" : nothing}
          >${w(item.key)}</a
        >`,
    )}
  </nav>`;
}

export function statusBadge(status: MeetingStatus): TemplateResult {
  return html`<span class="badge status-${status.toLowerCase()}" data-status=${status}>${w(`status_${status}`)}</span>`;
}

export function outcomeName(outcome: MeetingOutcome): string {
  return w(`outcome_${outcome}`);
}

export const b2bStyles = css`
  .b2b-nav {
    display: grid;
    grid-template-columns: repeat(3, 1fr);
    gap: 0.4rem;
    margin: 0.25rem 0 0.75rem;
  }
  .b2b-nav a {
    font-size: 0.9rem;
    padding: 0.4rem 0.3rem;
    text-align: center;
  }
  .b2b-nav a[aria-current="page"] {
    background: var(--brand-soft);
    border-color: var(--brand);
    font-weight: 700;
  }
  .badge.status-requested { background: #fff1c2; color: #6b4a00; }
  .badge.status-accepted { background: #e6f4ea; color: #0f4424; }
  .badge.status-declined,
  .badge.status-cancelled { background: #ffd9d6; color: #8a1710; }
  .badge.exhibitor { background: var(--brand-soft); color: var(--brand); }
  .tags { display: flex; flex-wrap: wrap; gap: 0.3rem; list-style: none; padding: 0; margin: 0.2rem 0; }
  .tags li {
    border: 1px solid var(--line-strong);
    border-radius: 1rem;
    padding: 0.05rem 0.6rem;
    font-size: 0.9rem;
  }
  .card h3,
  .card h4 { margin: 0.1rem 0 0.3rem; font-size: 1rem; }
  .line { display: flex; flex-wrap: wrap; align-items: center; gap: 0.4rem; }
`;
