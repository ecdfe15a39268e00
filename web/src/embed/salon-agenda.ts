// <salon-agenda>: the fair's agenda as one element that any website can drop in,
// as pretalx offers for its schedule:
//
//   <script type="module" src="https://<salon>/embed/salon-agenda.js"></script>
//   <salon-agenda day="2026-12-03" lang="en" kinds="KEYNOTE,CONFERENCE"></salon-agenda>
//
// It asks the Salon it was loaded from (anonymous GET queries, public data only: what
// the server takes from any origin) and links each session to the app. Colours follow
// the host page through CSS custom properties: --salon-accent, --salon-ink, --salon-line.
import { LitElement, css, html, nothing } from "lit";
import { timeRange, offsetLabel, dayName } from "../lib/fair-time";

const SERVER = new URL("..", import.meta.url).origin;

const QUERY = `query Embed($day: Date, $kinds: [SessionKind!], $lang: Lang) {
  event { days }
  sessions(filter: { day: $day, kinds: $kinds }, first: 200) {
    nodes { id startsAt endsAt status title(lang: $lang)
            room { name hall { name } } speakers { name } }
  }
}`;

interface EmbedSession {
  id: string;
  startsAt: string;
  endsAt: string;
  status: string;
  title: string;
  room: { name: string; hall: { name: string } | null } | null;
  speakers: { name: string }[];
}

const TEXT = {
  fr: { times: "Heures de Casablanca", changed: "Modifié", cancelled: "Annulé", failed: "Programme indisponible.", loading: "Chargement…" },
  en: { times: "Casablanca time", changed: "Changed", cancelled: "Cancelled", failed: "Agenda unavailable.", loading: "Loading…" },
};

export class SalonAgenda extends LitElement {
  static override properties = {
    day: { type: String },
    lang: { type: String },
    kinds: { type: String },
    sessions: { state: true },
    failed: { state: true },
  };
  declare day: string;
  declare lang: string;
  declare kinds: string;
  declare sessions: EmbedSession[] | null;
  declare failed: boolean;

  constructor() {
    super();
    this.day = "";
    this.lang = "fr";
    this.kinds = "";
    this.sessions = null;
    this.failed = false;
  }

  static override styles = css`
    :host { display: block; font: inherit; color: var(--salon-ink, #1a1d24); }
    ol { list-style: none; margin: 0; padding: 0; }
    li { border-bottom: 1px solid var(--salon-line, #d5d9e0); padding: 0.6em 0; }
    a { color: var(--salon-accent, #0b3d91); font-weight: 600; text-decoration: none; }
    a:hover, a:focus-visible { text-decoration: underline; }
    .when { font-variant-numeric: tabular-nums; font-weight: 700; }
    .where, .who, .tz { opacity: 0.8; font-size: 0.9em; }
    .badge { font-size: 0.75em; font-weight: 700; text-transform: uppercase; margin-left: 0.4em; }
    .cancelled a { text-decoration: line-through; }
  `;

  private text(): (typeof TEXT)["fr"] {
    return this.lang === "en" ? TEXT.en : TEXT.fr;
  }

  override updated(changed: Map<string, unknown>): void {
    if (changed.has("day") || changed.has("lang") || changed.has("kinds")) void this.load();
  }

  private async load(): Promise<void> {
    const kinds = this.kinds ? this.kinds.split(",").map((k) => k.trim().toUpperCase()) : null;
    try {
      // A GET query: the only kind of request Salon takes from another site.
      const url = new URL("/graphql", SERVER);
      url.searchParams.set("query", QUERY);
      url.searchParams.set(
        "variables",
        JSON.stringify({ day: this.day || null, kinds, lang: this.lang === "en" ? "EN" : "FR" }),
      );
      const response = await fetch(url, { headers: { accept: "application/json" } });
      const body = (await response.json()) as { data?: { event: { days: string[] }; sessions: { nodes: EmbedSession[] } } };
      if (!body.data) throw new Error("no data");
      if (!this.day) {
        this.day = body.data.event.days[0];
        return; // updated() loads that day
      }
      this.sessions = body.data.sessions.nodes;
      this.failed = false;
    } catch {
      this.failed = true;
    }
  }

  override render() {
    const text = this.text();
    if (this.failed) return html`<p role="status">${text.failed}</p>`;
    if (!this.sessions) return html`<p role="status">${text.loading}</p>`;
    const first = this.sessions[0];
    return html`
      <p class="tz">${dayName(this.day, this.lang)} · ${text.times}${first ? ` (${offsetLabel(first.startsAt)})` : ""}</p>
      <ol>
        ${this.sessions.map(
          (x) => html`<li class=${x.status.toLowerCase()}>
            <span class="when">${timeRange(x.startsAt, x.endsAt)}</span>
            ${x.status === "CHANGED" ? html`<span class="badge">${text.changed}</span>` : nothing}
            ${x.status === "CANCELLED" ? html`<span class="badge">${text.cancelled}</span>` : nothing}
            <div><a href="${SERVER}/session/${x.id}" target="_blank" rel="noopener">${x.title}</a></div>
            ${x.room ? html`<div class="where">${[x.room.name, x.room.hall?.name].filter(Boolean).join(" · ")}</div>` : nothing}
            ${x.speakers.length ? html`<div class="who">${x.speakers.map((p) => p.name).join(", ")}</div>` : nothing}
          </li>`,
        )}
      </ol>
    `;
  }
}

if (!customElements.get("salon-agenda")) customElements.define("salon-agenda", SalonAgenda);
