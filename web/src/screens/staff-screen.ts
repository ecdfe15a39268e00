// The exhibitor staff's screen: scan visitors' badges into the stand's leads
// (roles/lead-scanner.ts), schedule a demo at one of the stand's booths, and the
// stand's demos. The exhibitor is the signed-in person's (`me.exhibitor`); the
// server refuses anyone else's stand (FORBIDDEN), and the form says so.
import { html, css, nothing, type TemplateResult } from "lit";
import { SalonElement } from "../app/salon-element";
import { base } from "../app/styles";
import { ApiError, graphql, OfflineError } from "../lib/api";
import { SESSION_FIELDS } from "../lib/agenda-sync";
import { dayName, fairDay, instant, offsetLabel } from "../lib/fair-time";
import { lang, strings } from "../lib/i18n";
import type { SessionRecord } from "../lib/model";
import { sessionCard } from "../components/session-card";
import { fairDays } from "../roles/fair-clock";
import { signedInPerson, signInPrompt } from "../roles/sign-in-gate";
import type { BoothChoice } from "../roles/demo-form";
import "../roles/demo-form";
import "../roles/lead-scanner";

const s = strings({
  fr: {
    title: "Mon stand",
    signIn: "Cet écran sert au personnel des exposants. Connectez-vous avec votre badge exposant.",
    notStaff: "Votre compte n'est rattaché à aucun exposant : vous ne pouvez pas programmer de démo.",
    loading: "Chargement du stand…",
    offline: "Hors ligne : programmer une démo demande le réseau.",
    noBooth: "Votre exposant n'a pas encore de stand : impossible d'y programmer une démo.",
    schedule: "Programmer une démo",
    demos: "Nos démos",
    none: "Aucune démo programmée pour l'instant.",
    times: "Heures de Casablanca ({offset})",
  },
  en: {
    title: "My stand",
    signIn: "This screen is for exhibitor staff. Sign in with your exhibitor badge.",
    notStaff: "Your account belongs to no exhibitor: you cannot schedule demos.",
    loading: "Loading the stand…",
    offline: "Offline: scheduling a demo needs the network.",
    noBooth: "Your exhibitor has no booth yet: no demo can be scheduled there.",
    schedule: "Schedule a demo",
    demos: "Our demos",
    none: "No demo scheduled yet.",
    times: "Casablanca time ({offset})",
  },
});

const STAND = `query Stand { me { id exhibitor { id name booths { id code hall { name } }
  demos { ${SESSION_FIELDS} } } } }`;

interface Stand {
  id: string;
  name: string;
  booths: BoothChoice[];
  demos: SessionRecord[];
}

type State = "loading" | "signed-out" | "not-staff" | "offline" | "ready";

export class StaffScreen extends SalonElement {
  static override properties = { state: { state: true }, stand: { state: true }, days: { state: true } };
  declare state: State;
  declare stand: Stand | null;
  declare days: string[];
  protected override watches = ["agenda", "me"];
  /** Only the latest read is shown: an older answer arriving late must not undo it. */
  private reads = 0;

  constructor() {
    super();
    this.state = "loading";
    this.stand = null;
    this.days = [];
  }

  static override styles = [
    base,
    css`
      .when {
        display: flex;
        gap: 0.5rem;
        align-items: center;
        flex-wrap: wrap;
      }
    `,
  ];

  protected override async refresh(): Promise<void> {
    const read = ++this.reads;
    const me = await signedInPerson();
    if (read !== this.reads) return;
    if (typeof me === "string") {
      this.state = me;
      return;
    }
    if (!me.exhibitor) {
      this.state = "not-staff";
      return;
    }
    let answer: { me: { exhibitor: Stand | null } | null };
    let days: string[];
    try {
      [answer, days] = await Promise.all([graphql<{ me: { exhibitor: Stand | null } | null }>(STAND), fairDays()]);
    } catch (error) {
      if (!(error instanceof OfflineError || error instanceof ApiError)) throw error;
      if (read === this.reads) this.state = "offline";
      return;
    }
    if (read !== this.reads) return;
    const stand = answer.me?.exhibitor ?? null;
    if (!stand) {
      this.state = "not-staff";
      return;
    }
    stand.demos.sort((a, b) => instant(a.startsAt) - instant(b.startsAt));
    this.stand = stand;
    this.days = days;
    this.state = "ready";
  }

  private demos(stand: Stand): TemplateResult {
    if (!stand.demos.length) return html`<p>${s("none")}</p>`;
    const days = [...new Set(stand.demos.map((x) => fairDay(x.startsAt)))];
    return html`<p class="tz muted">${s("times", { offset: offsetLabel(stand.demos[0].startsAt) })}</p>
      ${days.map(
        (day) => html`<h3>${dayName(day, lang())}</h3>
          ${stand.demos.filter((x) => fairDay(x.startsAt) === day).map((x) => sessionCard(x))}`,
      )}`;
  }

  override render(): TemplateResult {
    const heading = html`<h1>${s("title")}${this.stand ? html` — ${this.stand.name}` : nothing}</h1>`;
    switch (this.state) {
      case "signed-out":
        return signInPrompt(heading, s("signIn"));
      case "not-staff":
        return html`${heading}<p>${s("notStaff")}</p>`;
      case "offline":
        return html`${heading}<p role="status">${s("offline")}</p>`;
      case "loading":
        return html`${heading}<p role="status">${s("loading")}</p>`;
    }
    const stand = this.stand as Stand;
    return html`${heading}
      <lead-scanner></lead-scanner>
      <h2>${s("schedule")}</h2>
      ${stand.booths.length
        ? html`<demo-form
            .exhibitorId=${stand.id}
            .booths=${stand.booths}
            .days=${this.days}
            @scheduled=${() => void this.refresh()}
          ></demo-form>`
        : html`<p>${s("noBooth")}</p>`}
      <h2>${s("demos")}</h2>
      ${this.demos(stand)}`;
  }
}

customElements.define("staff-screen", StaffScreen);
