// The organisers' console: broadcast an announcement, move / retime / cancel a
// session, withdraw an announcement held for later, import a schedule or an
// exhibitor sheet, follow the B2B desk and set the meeting plan. Organisers only: anyone else
// gets a polite refusal (the server refuses them too, FORBIDDEN). The forms live in
// web/src/console/; this screen loads what they pick from and switches between them.
import { html, css, nothing, type TemplateResult } from "lit";
import { SalonElement } from "../app/salon-element";
import { base } from "../app/styles";
import { syncAgenda } from "../lib/agenda-sync";
import { allExhibitors, allSessions } from "../lib/db";
import { strings } from "../lib/i18n";
import type { ExhibitorRecord, SessionRecord } from "../lib/model";
import { exhibitorItems, roomChoices, sessionItems, type RoomChoice } from "../console/choices";
import { heldAnnouncements, type HeldRecord } from "../console/held";
import { fairDays } from "../roles/fair-clock";
import { signedInPerson, signInPrompt } from "../roles/sign-in-gate";
import "../console/b2b-desk";
import "../console/broadcast-form";
import "../console/held-list";
import "../console/import-form";
import "../console/session-form";

const s = strings({
  fr: {
    title: "Console de l'organisation",
    signIn: "Cette console est réservée aux organisateurs du salon. Connectez-vous avec votre badge d'organisateur.",
    refused: "Désolé, cette console est réservée aux organisateurs du salon. Pour toute demande, adressez-vous au bureau d'accueil.",
    loading: "Chargement de la console…",
    tabs: "Actions",
    broadcast: "Annonce",
    session: "Session",
    held: "Programmées ({n})",
    import: "Import",
    b2b: "B2B",
    b2bTitle: "Bureau des rendez-vous B2B",
    importTitle: "Importer un programme ou une liste d'exposants",
    broadcastTitle: "Diffuser une annonce",
    sessionTitle: "Déplacer, décaler ou annuler une session",
    heldTitle: "Annonces programmées",
    noCopy: "Le programme n'est pas encore enregistré sur ce téléphone : ouvrez le programme en ligne une fois.",
  },
  en: {
    title: "Organisers' console",
    signIn: "This console is for the fair's organisers. Sign in with your organiser badge.",
    refused: "Sorry, this console is for the fair's organisers only. For any request, please ask at the information desk.",
    loading: "Loading the console…",
    tabs: "Actions",
    broadcast: "Announcement",
    session: "Session",
    held: "Scheduled ({n})",
    import: "Import",
    b2b: "B2B",
    b2bTitle: "B2B meetings desk",
    importTitle: "Import a schedule or an exhibitor list",
    broadcastTitle: "Broadcast an announcement",
    sessionTitle: "Move, retime or cancel a session",
    heldTitle: "Scheduled announcements",
    noCopy: "The agenda is not saved on this phone yet: open the agenda online once.",
  },
});

type State = "loading" | "signed-out" | "refused" | "ready";
type Tab = "broadcast" | "session" | "held" | "import" | "b2b";

export class ConsoleScreen extends SalonElement {
  static override properties = {
    state: { state: true },
    tab: { state: true },
    sessions: { state: true },
    exhibitors: { state: true },
    rooms: { state: true },
    days: { state: true },
    held: { state: true },
  };
  declare state: State;
  declare tab: Tab;
  declare sessions: SessionRecord[];
  declare exhibitors: ExhibitorRecord[];
  declare rooms: RoomChoice[];
  declare days: string[];
  declare held: HeldRecord[];
  protected override watches = ["agenda", "me"];
  private organiserId = "";
  /** Only the latest read is shown: one that started before the offline copy arrived must not empty it. */
  private reads = 0;

  constructor() {
    super();
    this.state = "loading";
    this.tab = "broadcast";
    this.sessions = [];
    this.exhibitors = [];
    this.rooms = [];
    this.days = [];
    this.held = [];
  }

  static override styles = [
    base,
    css`
      .tabs {
        display: grid;
        grid-template-columns: repeat(2, 1fr);
        gap: 0.4rem;
        margin: 0.5rem 0 0.75rem;
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
    if (!me.roles.includes("ORGANISER")) {
      this.state = "refused";
      return;
    }
    const [sessions, exhibitors, days, held, rooms] = await Promise.all([
      allSessions(),
      allExhibitors(),
      fairDays().catch(() => [] as string[]),
      heldAnnouncements(me.id),
      this.rooms.length ? this.rooms : roomChoices(),
    ]);
    if (read !== this.reads) return;
    this.organiserId = me.id;
    this.sessions = sessions;
    this.exhibitors = exhibitors;
    this.days = days;
    this.held = held;
    this.rooms = rooms;
    this.state = "ready";
  }

  private async changed(): Promise<void> {
    // The console's own copy catches up with what it just changed (a patch, not the whole agenda).
    await syncAgenda().catch(() => "offline");
  }

  private async heldChanged(): Promise<void> {
    this.held = await heldAnnouncements(this.organiserId);
  }

  private tabButton(tab: Tab, label: string): TemplateResult {
    return html`<button aria-pressed=${this.tab === tab ? "true" : "false"} @click=${() => (this.tab = tab)}>
      ${label}
    </button>`;
  }

  /** Every panel stays in the page, hidden when another is shown: typed text survives a switch. */
  private panels(): TemplateResult {
    return html`<section ?hidden=${this.tab !== "broadcast"} aria-labelledby="broadcast-title">
        <h2 id="broadcast-title">${s("broadcastTitle")}</h2>
        <broadcast-form
          .organiserId=${this.organiserId}
          .sessions=${sessionItems(this.sessions)}
          .exhibitors=${exhibitorItems(this.exhibitors)}
          .days=${this.days}
          @held=${() => void this.heldChanged()}
        ></broadcast-form>
      </section>
      <section ?hidden=${this.tab !== "session"} aria-labelledby="session-title">
        <h2 id="session-title">${s("sessionTitle")}</h2>
        ${this.sessions.length ? nothing : html`<p>${s("noCopy")}</p>`}
        <session-form
          .sessions=${this.sessions}
          .rooms=${this.rooms}
          .days=${this.days}
          @changed=${() => void this.changed()}
        ></session-form>
      </section>
      <section ?hidden=${this.tab !== "held"} aria-labelledby="held-title">
        <h2 id="held-title">${s("heldTitle")}</h2>
        <held-list
          .organiserId=${this.organiserId}
          .held=${this.held}
          @withdrawn=${() => void this.heldChanged()}
        ></held-list>
      </section>
      <section ?hidden=${this.tab !== "import"} aria-labelledby="import-title">
        <h2 id="import-title">${s("importTitle")}</h2>
        <import-form @imported=${() => void this.changed()}></import-form>
      </section>
      <section ?hidden=${this.tab !== "b2b"} aria-labelledby="b2b-title">
        <h2 id="b2b-title">${s("b2bTitle")}</h2>
        <b2b-desk .fairDays=${this.days} ?active=${this.tab === "b2b"}></b2b-desk>
      </section>`;
  }

  override render(): TemplateResult {
    const heading = html`<h1>${s("title")}</h1>`;
    switch (this.state) {
      case "signed-out":
        return signInPrompt(heading, s("signIn"));
      case "refused":
        return html`${heading}<p role="status">${s("refused")}</p>`;
      case "loading":
        return html`${heading}<p role="status">${s("loading")}</p>`;
    }
    return html`${heading}
      <div class="tabs" role="group" aria-label=${s("tabs")}>
        ${this.tabButton("broadcast", s("broadcast"))} ${this.tabButton("session", s("session"))}
        ${this.tabButton("held", s("held", { n: this.held.length }))} ${this.tabButton("import", s("import"))}
        ${this.tabButton("b2b", s("b2b"))}
      </div>
      ${this.panels()}`;
  }
}

customElements.define("console-screen", ConsoleScreen);
