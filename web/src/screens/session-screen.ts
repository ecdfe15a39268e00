// One session: what, when (the fair's wall clock), where (with the way there on the
// map), who speaks, which exhibitor demonstrates; seats left when online; and what
// the attendee can do with it (components/session-actions.ts).
import { html, css, nothing, type TemplateResult } from "lit";
import { SalonElement } from "../app/salon-element";
import { base } from "../app/styles";
import { graphql } from "../lib/api";
import { token } from "../lib/auth";
import { db, getValue } from "../lib/db";
import { dayName, fairDay, offsetLabel, timeRange } from "../lib/fair-time";
import { lang, pick, strings } from "../lib/i18n";
import { currentMe, type MeRecord } from "../lib/me";
import type { ExhibitorRecord, SessionRecord, SpeakerRecord } from "../lib/model";
import { hasOfflineCopy } from "../lib/agenda-sync";
import { kindName, placeName, statusBadge } from "../components/session-card";
import { waitlistKey, type LiveSeats } from "../components/session-actions";
import "../components/session-actions";

const s = strings({
  fr: {
    back: "Programme",
    heading: "Session",
    loading: "Chargement de la session…",
    offlineMissing: "Cette session n'est pas encore sur le téléphone. Connectez-vous une première fois.",
    missing: "Cette session n'existe pas (ou plus).",
    times: "Heures de Casablanca ({offset})",
    map: "Voir sur le plan",
    mapPlace: " : {place}",
    track: "Thématique : {name}",
    seatsLeft: "{n} places restantes",
    full: "Complet",
    about: "Présentation",
    speakers: "Intervenants",
    exhibitor: "Exposant",
    capacity: "{n} places",
  },
  en: {
    back: "Agenda",
    heading: "Session",
    loading: "Loading the session…",
    offlineMissing: "This session is not on the phone yet. Go online once.",
    missing: "This session does not exist (any more).",
    times: "Casablanca time ({offset})",
    map: "Show on the map",
    mapPlace: ": {place}",
    track: "Track: {name}",
    seatsLeft: "{n} seats left",
    full: "Full",
    about: "About",
    speakers: "Speakers",
    exhibitor: "Exhibitor",
    capacity: "{n} seats",
  },
});

const LIVE = `query SessionLive($id: ID!) {
  session(id: $id) { seatsLeft viewerHasBookmarked viewerRegistration }
}`;

export class SessionScreen extends SalonElement {
  static override properties = {
    session: { state: true },
    speakers: { state: true },
    exhibitor: { state: true },
    me: { state: true },
    live: { state: true },
    position: { state: true },
    state: { state: true },
  };
  declare session: SessionRecord | null;
  declare speakers: SpeakerRecord[];
  declare exhibitor: ExhibitorRecord | null;
  declare me: MeRecord | null;
  declare live: LiveSeats | null;
  declare position: number | null;
  declare state: "loading" | "shown" | "missing" | "offline-missing";
  protected override watches = ["agenda", "me"];
  private readonly onOnline = (): void => void this.refresh();

  constructor() {
    super();
    this.session = null;
    this.speakers = [];
    this.exhibitor = null;
    this.me = null;
    this.live = null;
    this.position = null;
    this.state = "loading";
  }

  static override styles = [
    base,
    css`
      .kind {
        display: flex;
        gap: 0.5rem;
        align-items: center;
        margin: 0.5rem 0 0;
      }
      h1.cancelled {
        text-decoration: line-through;
      }
      .facts p {
        margin: 0.3rem 0;
      }
      .place {
        display: flex;
        flex-wrap: wrap;
        gap: 0.5rem;
        align-items: center;
      }
      .speaker h3 {
        margin-bottom: 0.1rem;
      }
      .speaker p {
        margin: 0.2rem 0;
      }
      .track-dot {
        display: inline-block;
        width: 0.7rem;
        height: 0.7rem;
        border-radius: 50%;
        margin-right: 0.3rem;
        vertical-align: baseline;
      }
    `,
  ];

  private get sessionId(): string {
    return this.getAttribute("id") ?? "";
  }

  override connectedCallback(): void {
    super.connectedCallback();
    window.addEventListener("online", this.onOnline);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    window.removeEventListener("online", this.onOnline);
  }

  protected override async refresh(): Promise<void> {
    const database = await db();
    const session = (await database.get("sessions", this.sessionId)) ?? null;
    this.me = await currentMe();
    this.position = this.me ? ((await getValue<number>(waitlistKey(this.me.id, this.sessionId))) ?? null) : null;
    if (!session) {
      this.session = null;
      if (await hasOfflineCopy()) this.state = "missing";
      else this.state = navigator.onLine ? "loading" : "offline-missing";
      return;
    }
    const byId = new Map((await database.getAll("speakers")).map((x) => [x.id, x]));
    this.speakers = session.speakers.map((x) => byId.get(x.id)).filter((x): x is SpeakerRecord => !!x);
    this.exhibitor = session.exhibitor ? ((await database.get("exhibitors", session.exhibitor.id)) ?? null) : null;
    this.session = session;
    this.state = "shown";
    await this.loadLive();
  }

  /** Seats and the viewer's registration are the server's, asked for when online. */
  private async loadLive(): Promise<void> {
    if (!navigator.onLine) {
      this.live = null;
      return;
    }
    try {
      const { session } = await graphql<{ session: LiveSeats | null }>(LIVE, { id: this.sessionId });
      this.live = session;
    } catch {
      // A live extra: the details stand without it.
      this.live = null;
    }
  }

  private mapLink(session: SessionRecord): TemplateResult | typeof nothing {
    // The ids `route(fromId, toId)` accepts for a room and for a booth.
    const placeId = session.room?.id ?? session.booth?.id;
    if (!placeId) return nothing;
    // The visible words start the link's name (WCAG 2.5.3); the place completes it.
    return html`<a class="button" href="/map?to=${encodeURIComponent(placeId)}" data-testid="map-link"
      >${s("map")}<span class="visually-hidden">${s("mapPlace", { place: placeName(session) })}</span></a
    >`;
  }

  private seats(session: SessionRecord): TemplateResult | typeof nothing {
    const left = this.live?.seatsLeft;
    if (left === undefined || left === null) {
      return session.capacity ? html`<p class="muted">${s("capacity", { n: session.capacity })}</p>` : nothing;
    }
    return html`<p data-testid="seats"><strong>${left > 0 ? s("seatsLeft", { n: left }) : s("full")}</strong></p>`;
  }

  private speakerList(): TemplateResult | typeof nothing {
    if (!this.speakers.length) return nothing;
    return html`<section aria-labelledby="speakers">
      <h2 id="speakers">${s("speakers")}</h2>
      ${this.speakers.map(
        (x) => html`<div class="card speaker" data-speaker-id=${x.id}>
          <h3>${x.name}</h3>
          ${x.jobTitle || x.organisation
            ? html`<p class="muted">${[x.jobTitle, x.organisation].filter(Boolean).join(", ")}</p>`
            : nothing}
          ${pick(x.bioFr, x.bioEn) ? html`<p>${pick(x.bioFr, x.bioEn)}</p>` : nothing}
        </div>`,
      )}
    </section>`;
  }

  private exhibitorPart(): TemplateResult | typeof nothing {
    if (!this.exhibitor) return nothing;
    return html`<section aria-labelledby="exhibitor">
      <h2 id="exhibitor">${s("exhibitor")}</h2>
      <p><a href="/exhibitor/${this.exhibitor.id}" data-testid="exhibitor-link">${this.exhibitor.name}</a></p>
    </section>`;
  }

  override render(): TemplateResult {
    const back = html`<p><a href="/">← ${s("back")}</a></p>`;
    if (this.state !== "shown" || !this.session) {
      const message =
        this.state === "missing" ? s("missing") : this.state === "offline-missing" ? s("offlineMissing") : s("loading");
      return html`${back}
        <h1>${s("heading")}</h1>
        <p role="status">${message}</p>`;
    }
    const x = this.session;
    const abstract = pick(x.abstractFr, x.abstractEn);
    return html`
      ${back}
      <p class="kind"><span class="muted">${kindName(x.kind)}</span> ${statusBadge(x.status)}</p>
      <h1 class=${x.status === "CANCELLED" ? "cancelled" : ""}>${pick(x.titleFr, x.titleEn)}</h1>
      <div class="facts">
        <p data-testid="when">
          <strong>${dayName(fairDay(x.startsAt), lang())} · ${timeRange(x.startsAt, x.endsAt)}</strong>
        </p>
        <p class="tz muted" data-testid="time-zone">${s("times", { offset: offsetLabel(x.startsAt) })}</p>
        <p class="place"><span data-testid="place">${placeName(x)}</span> ${this.mapLink(x)}</p>
        ${x.track
          ? html`<p>
              ${x.track.color
                ? html`<svg class="track-dot" viewBox="0 0 10 10" aria-hidden="true">
                    <circle cx="5" cy="5" r="5" fill=${x.track.color}></circle>
                  </svg>`
                : nothing}${s("track", { name: pick(x.track.nameFr, x.track.nameEn) })}
            </p>`
          : nothing}
        ${this.seats(x)}
      </div>
      <session-actions
        .session=${x}
        .me=${this.me}
        .live=${this.live}
        .position=${this.position}
        ?signed-in=${!!token()}
        @session-changed=${() => void this.refresh()}
      ></session-actions>
      ${abstract
        ? html`<section aria-labelledby="about">
            <h2 id="about">${s("about")}</h2>
            <p>${abstract}</p>
          </section>`
        : nothing}
      ${this.exhibitorPart()} ${this.speakerList()}
    `;
  }
}

customElements.define("session-screen", SessionScreen);
