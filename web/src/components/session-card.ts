// One session in a list: time, title, room, speakers count, CHANGED / CANCELLED at a
// glance and the seats left when known. Used by the agenda, the schedule and the
// speaker's screen.
import { html, css, nothing, type TemplateResult } from "lit";
import { pick, strings } from "../lib/i18n";
import { timeRange } from "../lib/fair-time";
import type { SessionRecord } from "../lib/model";

const s = strings({
  fr: {
    changed: "Modifié",
    cancelled: "Annulé",
    seatsLeft: "{n} places restantes",
    full: "Complet",
    bookmarked: "Dans mon programme",
    kind_KEYNOTE: "Plénière",
    kind_CONFERENCE: "Conférence",
    kind_PANEL: "Table ronde",
    kind_WORKSHOP: "Atelier",
    kind_DEMO: "Démonstration",
    kind_B2B: "Rencontres B2B",
    kind_CEREMONY: "Cérémonie",
    kind_OTHER: "Autre",
  },
  en: {
    changed: "Changed",
    cancelled: "Cancelled",
    seatsLeft: "{n} seats left",
    full: "Full",
    bookmarked: "In my schedule",
    kind_KEYNOTE: "Keynote",
    kind_CONFERENCE: "Talk",
    kind_PANEL: "Panel",
    kind_WORKSHOP: "Workshop",
    kind_DEMO: "Demo",
    kind_B2B: "B2B meetings",
    kind_CEREMONY: "Ceremony",
    kind_OTHER: "Other",
  },
});

export const KINDS = ["KEYNOTE", "CONFERENCE", "PANEL", "WORKSHOP", "DEMO", "B2B", "CEREMONY", "OTHER"] as const;

export function kindName(kind: string): string {
  return s(`kind_${kind}` as `kind_${(typeof KINDS)[number]}`) ?? kind;
}

export function statusBadge(status: string): TemplateResult | typeof nothing {
  if (status === "CHANGED") return html`<span class="badge changed">${s("changed")}</span>`;
  if (status === "CANCELLED") return html`<span class="badge cancelled">${s("cancelled")}</span>`;
  return nothing;
}

export function placeName(session: SessionRecord): string {
  if (session.room) return [session.room.name, session.room.hall?.name].filter(Boolean).join(" · ");
  if (session.booth) return [session.booth.code, session.booth.hall.name].join(" · ");
  return "";
}

/** The look of `sessionCard` that every list of them shares: the screen adds its own. */
export const sessionCardStyles = css`
  .when { display: flex; gap: 0.5rem; align-items: center; flex-wrap: wrap; }
  .session.cancelled h3 { text-decoration: line-through; }
`;

export function sessionCard(
  session: SessionRecord,
  extra: { seatsLeft?: number | null; bookmarked?: boolean; note?: TemplateResult } = {},
): TemplateResult {
  const seats =
    extra.seatsLeft === undefined || extra.seatsLeft === null
      ? nothing
      : html`<span class="muted">${extra.seatsLeft > 0 ? s("seatsLeft", { n: extra.seatsLeft }) : s("full")}</span>`;
  return html`<a
    class="card session ${session.status.toLowerCase()}"
    href="/session/${session.id}"
    data-session-id=${session.id}
    data-status=${session.status}
  >
    <div class="when">
      <strong>${timeRange(session.startsAt, session.endsAt)}</strong>
      <span class="muted">${kindName(session.kind)}</span>
      ${statusBadge(session.status)}
      ${extra.bookmarked ? html`<span class="badge changed" aria-label=${s("bookmarked")}>★</span>` : nothing}
    </div>
    <h3 class=${session.status === "CANCELLED" ? "struck" : ""}>${pick(session.titleFr, session.titleEn)}</h3>
    <div class="muted">${placeName(session)} ${session.track ? html`· ${pick(session.track.nameFr, session.track.nameEn)}` : nothing}</div>
    ${seats} ${extra.note ?? nothing}
  </a>`;
}
