// The sheet that opens on a tapped place: a booth names its exhibitor (and its
// demos), a room its sessions now and next (from the offline copy), a point of
// interest what it is; each offers "go here" and "start from here".
import { html, nothing, type TemplateResult } from "lit";
import { statusBadge } from "../components/session-card";
import { dayName, instant, timeRange, wallClock } from "../lib/fair-time";
import { lang, pick, strings } from "../lib/i18n";
import type { SessionRecord } from "../lib/model";
import { poiBadge } from "./icons";
import { placeLabel, type Plan, type Place } from "./plan";

const s = strings({
  fr: {
    booth: "Stand {code}",
    vacant: "Stand libre",
    exhibitor: "Voir l'exposant",
    now: "En ce moment",
    next: "À suivre",
    noSession: "Aucune session à venir ici.",
    seats: "{n} places",
    goHere: "Y aller",
    startHere: "Partir d'ici",
    close: "Fermer",
    kind_ENTRANCE: "Entrée",
    kind_INFO_DESK: "Information",
    kind_FOOD: "Restauration",
    kind_TOILETS: "Toilettes",
    kind_PRAYER_ROOM: "Salle de prière",
    kind_FIRST_AID: "Premiers secours",
    kind_SAFETY_ZONE: "Sécurité",
    kind_STARTUP_ZONE: "Start-up",
    kind_B2B_AREA: "Affaires B2B",
    kind_PARKING: "Parking",
    kind_OTHER: "Autre",
  },
  en: {
    booth: "Booth {code}",
    vacant: "Vacant booth",
    exhibitor: "See the exhibitor",
    now: "Happening now",
    next: "Up next",
    noSession: "No session coming up here.",
    seats: "{n} seats",
    goHere: "Go here",
    startHere: "Start from here",
    close: "Close",
    kind_ENTRANCE: "Entrance",
    kind_INFO_DESK: "Information",
    kind_FOOD: "Food and drink",
    kind_TOILETS: "Toilets",
    kind_PRAYER_ROOM: "Prayer room",
    kind_FIRST_AID: "First aid",
    kind_SAFETY_ZONE: "Safety",
    kind_STARTUP_ZONE: "Start-ups",
    kind_B2B_AREA: "B2B business",
    kind_PARKING: "Car park",
    kind_OTHER: "Other",
  },
});

type PoiKindKey = `kind_${"ENTRANCE" | "INFO_DESK" | "FOOD" | "TOILETS" | "PRAYER_ROOM" | "FIRST_AID" | "SAFETY_ZONE" | "STARTUP_ZONE" | "B2B_AREA" | "PARKING" | "OTHER"}`;

export function poiKindName(kind: string | null): string {
  return s(`kind_${kind ?? "OTHER"}` as PoiKindKey) ?? kind ?? "";
}

/** The heading of a place: "Stand A101", a room's name, a point of interest's name. */
export function placeTitle(place: Place): string {
  return place.kind === "booth" ? s("booth", { code: place.name }) : placeLabel(place);
}

export interface PanelActions {
  close(): void;
  goHere(place: Place): void;
  startHere(place: Place): void;
}

const MAX_NEXT = 3;

/** Whether `iso` falls on the day the fair's clocks read now (in the offset the server
 * wrote for it): "next" may be tomorrow, and then it says which day. */
function today(iso: string, now: number): boolean {
  const { day, offset } = wallClock(iso);
  const [hours, minutes] = offset.slice(1).split(":").map(Number);
  const shift = (offset.startsWith("-") ? -1 : 1) * (hours * 60 + minutes) * 60_000;
  return new Date(now + shift).toISOString().slice(0, 10) === day;
}

function when(session: SessionRecord, now: number): string {
  const range = timeRange(session.startsAt, session.endsAt);
  if (today(session.startsAt, now)) return range;
  return `${dayName(wallClock(session.startsAt).day, lang(), "short")} ${range}`;
}

function sessionsHere(place: Place, sessions: SessionRecord[]): TemplateResult {
  const now = Date.now();
  const here = sessions.filter(
    (x) => x.status !== "CANCELLED" && (x.room?.id === place.id || x.booth?.id === place.id),
  );
  const live = here.filter((x) => instant(x.startsAt) <= now && now < instant(x.endsAt));
  const coming = here.filter((x) => instant(x.startsAt) > now).slice(0, MAX_NEXT);
  const item = (x: SessionRecord): TemplateResult =>
    html`<li>
      <a href="/session/${x.id}" data-session-id=${x.id}
        ><strong>${when(x, now)}</strong> ${pick(x.titleFr, x.titleEn)}</a
      >
      ${statusBadge(x.status)}
    </li>`;
  if (!live.length && !coming.length) return html`<p class="muted">${s("noSession")}</p>`;
  return html`
    ${live.length ? html`<h3>${s("now")}</h3><ul class="sessions">${live.map(item)}</ul>` : nothing}
    ${coming.length ? html`<h3>${s("next")}</h3><ul class="sessions">${coming.map(item)}</ul>` : nothing}
  `;
}

function details(place: Place, plan: Plan, sessions: SessionRecord[]): TemplateResult {
  const hall = plan.halls.find((h) => h.id === place.hallId);
  const where = hall ? html`<p class="muted">${hall.name}</p>` : nothing;
  if (place.kind === "booth") {
    return html`${where}
      ${place.exhibitor
        ? html`<p class="occupant"><strong>${place.exhibitor.name}</strong></p>
            <a class="button primary" href="/exhibitor/${place.exhibitor.id}">${s("exhibitor")}</a>`
        : html`<p>${s("vacant")}</p>`}
      ${place.exhibitor ? sessionsHere(place, sessions) : nothing}`;
  }
  if (place.kind === "room") {
    const seats = place.capacity ? html` · ${s("seats", { n: place.capacity })}` : nothing;
    return html`<p class="muted">${hall?.name ?? ""}${seats}</p>
      ${sessionsHere(place, sessions)}`;
  }
  return html`<p class="kind">${poiBadge(place.poiKind)} ${poiKindName(place.poiKind)}</p>${where}`;
}

export function placePanel(place: Place, plan: Plan, sessions: SessionRecord[], actions: PanelActions): TemplateResult {
  return html`<section class="sheet" aria-labelledby="sheet-title" data-open-place=${place.id}>
    <div class="sheet-head">
      <h2 id="sheet-title" tabindex="-1">${placeTitle(place)}</h2>
      <button type="button" class="close" aria-label=${s("close")} @click=${actions.close}>✕</button>
    </div>
    ${details(place, plan, sessions)}
    <div class="actions">
      <button type="button" @click=${() => actions.goHere(place)}>${s("goHere")}</button>
      <button type="button" @click=${() => actions.startHere(place)}>${s("startHere")}</button>
    </div>
  </section>`;
}
