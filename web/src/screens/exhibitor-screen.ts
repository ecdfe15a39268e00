// One exhibitor, from the offline copy: who they are, their booths (with the way
// there on the map), their demos at the fair, and "follow".
import { html, css, nothing, type TemplateResult } from "lit";
import { SalonElement } from "../app/salon-element";
import { base } from "../app/styles";
import { hasOfflineCopy } from "../lib/agenda-sync";
import { token } from "../lib/auth";
import { allSessions, db } from "../lib/db";
import { follows } from "../lib/follow";
import { dayName, fairDay } from "../lib/fair-time";
import { lang, pick, strings } from "../lib/i18n";
import { currentMe, type MeRecord } from "../lib/me";
import type { ExhibitorRecord, SessionRecord } from "../lib/model";
import { isBookmarked } from "../lib/plan";
import { boothName, countryName, sectorName } from "../components/exhibitor-labels";
import { sessionCard, sessionCardStyles } from "../components/session-card";
import "../components/follow-button";

const s = strings({
  fr: {
    back: "Exposants",
    heading: "Exposant",
    loading: "Chargement de l'exposant…",
    offlineMissing: "Cet exposant n'est pas encore sur le téléphone. Connectez-vous une première fois.",
    missing: "Cet exposant n'existe pas (ou plus).",
    website: "Site web :",
    newTab: "(nouvel onglet)",
    sectors: "Secteurs :",
    booths: "Stands",
    map: "Voir sur le plan",
    mapPlace: " : {booth}",
    demos: "Démonstrations",
    noDemos: "Aucune démonstration annoncée pour l'instant.",
  },
  en: {
    back: "Exhibitors",
    heading: "Exhibitor",
    loading: "Loading the exhibitor…",
    offlineMissing: "This exhibitor is not on the phone yet. Go online once.",
    missing: "This exhibitor does not exist (any more).",
    website: "Website:",
    newTab: "(new tab)",
    sectors: "Sectors:",
    booths: "Booths",
    map: "Show on the map",
    mapPlace: ": {booth}",
    demos: "Demos",
    noDemos: "No demo announced yet.",
  },
});

export class ExhibitorScreen extends SalonElement {
  static override properties = {
    exhibitor: { state: true },
    demos: { state: true },
    me: { state: true },
    state: { state: true },
  };
  declare exhibitor: ExhibitorRecord | null;
  declare demos: SessionRecord[];
  declare me: MeRecord | null;
  declare state: "loading" | "shown" | "missing" | "offline-missing";
  protected override watches = ["agenda", "me"];

  constructor() {
    super();
    this.exhibitor = null;
    this.demos = [];
    this.me = null;
    this.state = "loading";
  }

  static override styles = [
    base,
    sessionCardStyles,
    css`
      .head {
        display: flex;
        gap: 0.75rem;
        align-items: flex-start;
        justify-content: space-between;
      }
      ul.booths {
        list-style: none;
        padding: 0;
        margin: 0;
      }
      ul.booths li {
        display: flex;
        flex-wrap: wrap;
        gap: 0.5rem;
        align-items: center;
        justify-content: space-between;
        margin: 0.35rem 0;
      }
      h3.day {
        margin-top: 0.75rem;
      }
      h3.day::first-letter {
        text-transform: uppercase;
      }
    `,
  ];

  private get exhibitorId(): string {
    return this.getAttribute("id") ?? "";
  }

  protected override async refresh(): Promise<void> {
    const [exhibitor, sessions, me] = await Promise.all([
      (await db()).get("exhibitors", this.exhibitorId),
      allSessions(),
      currentMe(),
    ]);
    this.me = me;
    if (!exhibitor) {
      this.exhibitor = null;
      if (await hasOfflineCopy()) this.state = "missing";
      else this.state = navigator.onLine ? "loading" : "offline-missing";
      return;
    }
    this.exhibitor = exhibitor;
    this.demos = sessions.filter((x) => x.exhibitor?.id === exhibitor.id);
    this.state = "shown";
  }

  /** Only web addresses become links: the text comes from exhibitors. */
  private website(url: string | null): TemplateResult | typeof nothing {
    if (!url || !/^https?:\/\//i.test(url)) return nothing;
    return html`<p>
      ${s("website")}
      <a href=${url} target="_blank" rel="noopener"
        >${url.replace(/^https?:\/\//i, "")} <span class="visually-hidden">${s("newTab")}</span></a
      >
    </p>`;
  }

  private booths(x: ExhibitorRecord): TemplateResult | typeof nothing {
    if (!x.booths.length) return nothing;
    return html`<section aria-labelledby="booths">
      <h2 id="booths">${s("booths")}</h2>
      <ul class="booths">
        ${x.booths.map(
          (b) => html`<li>
            <span>${boothName(b)}</span>
            <a class="button" href="/map?to=${encodeURIComponent(b.id)}" data-testid="map-link"
              >${s("map")}<span class="visually-hidden">${s("mapPlace", { booth: boothName(b) })}</span></a
            >
          </li>`,
        )}
      </ul>
    </section>`;
  }

  /** A card shows a time, not a day: demos run over the four days. */
  private demosByDay(): TemplateResult[] {
    const days = [...new Set(this.demos.map((x) => fairDay(x.startsAt)))];
    return days.map(
      (day) => html`<h3 class="day">${dayName(day, lang())}</h3>
        ${this.demos
          .filter((x) => fairDay(x.startsAt) === day)
          .map((x) => sessionCard(x, { bookmarked: isBookmarked(this.me, x.id) }))}`,
    );
  }

  private demoList(): TemplateResult {
    return html`<section aria-labelledby="demos">
      <h2 id="demos">${s("demos")}</h2>
      ${this.demos.length ? this.demosByDay() : html`<p class="muted">${s("noDemos")}</p>`}
    </section>`;
  }

  override render(): TemplateResult {
    const back = html`<p><a href="/exhibitors">← ${s("back")}</a></p>`;
    if (this.state !== "shown" || !this.exhibitor) {
      const message =
        this.state === "missing" ? s("missing") : this.state === "offline-missing" ? s("offlineMissing") : s("loading");
      return html`${back}
        <h1>${s("heading")}</h1>
        <p role="status">${message}</p>`;
    }
    const x = this.exhibitor;
    const description = pick(x.descriptionFr, x.descriptionEn);
    return html`
      ${back}
      <div class="head">
        <div>
          <h1>${x.name}</h1>
          <p class="muted" data-testid="country">${countryName(x.country)}</p>
        </div>
        <follow-button
          exhibitor-id=${x.id}
          name=${x.name}
          ?following=${follows(this.me, x.id)}
          ?signed-in=${!!token()}
        ></follow-button>
      </div>
      <p data-testid="sectors">
        <span class="visually-hidden">${s("sectors")}</span> ${x.sectors.map(sectorName).join(", ")}
      </p>
      ${this.website(x.website)}
      ${description ? html`<p>${description}</p>` : nothing} ${this.booths(x)} ${this.demoList()}
    `;
  }
}

customElements.define("exhibitor-screen", ExhibitorScreen);
