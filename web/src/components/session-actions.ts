// What an attendee does with a session: bookmark it (works offline: queued in the
// outbox), register or join the waitlist (online only: a seat is the server's to
// give), add it to their calendar (a file made on the phone). Anonymous people are
// sent to sign in and brought back. Properties in; `session-changed` out after a
// registration changed, so the screen re-reads the seats.
import { html, css, nothing, type TemplateResult } from "lit";
import { SalonElement } from "../app/salon-element";
import { base } from "../app/styles";
import { navigate } from "../app/router";
import { db, setValue } from "../lib/db";
import { download, sessionIcs } from "../lib/ics";
import { pick, strings } from "../lib/i18n";
import type { MeRecord } from "../lib/me";
import type { SessionRecord } from "../lib/model";
import { cancelRegistration, isBookmarked, pendingChanges, register, setBookmark } from "../lib/plan";
import { signInPath } from "../lib/auth";
import { watchNetwork } from "../lib/network";
import { act, sentToSignIn } from "./action";
import { placeName } from "./session-card";

/** The live part of a session, as `session(id:)` answers it for the viewer. */
export interface LiveSeats {
  seatsLeft: number | null;
  viewerHasBookmarked: boolean;
  viewerRegistration: "REGISTERED" | "WAITLISTED" | null;
}

/** Where the phone keeps the last waitlist position the server gave this person. */
export function waitlistKey(personId: string, sessionId: string): string {
  return `waitlist.${personId}.${sessionId}`;
}

const s = strings({
  fr: {
    actions: "Mes actions",
    bookmark: "Ajouter à mon programme",
    unbookmark: "Retirer de mon programme",
    queued: "Enregistré sur le téléphone ; envoyé au serveur au retour du réseau.",
    register: "S'inscrire",
    waitlist: "S'inscrire sur liste d'attente",
    unregister: "Annuler mon inscription",
    leaveWaitlist: "Quitter la liste d'attente",
    registered: "Inscription confirmée",
    waitlisted: "Liste d'attente, position {n}",
    waitlistedUnknown: "Sur liste d'attente",
    offline: "Hors ligne : l'inscription demande le réseau.",
    cancelled: "Session annulée : plus d'inscription possible.",
    conflict: "Inscription impossible : la session a commencé ou a été annulée.",
    calendar: "Ajouter au calendrier",
  },
  en: {
    actions: "My actions",
    bookmark: "Add to my schedule",
    unbookmark: "Remove from my schedule",
    queued: "Saved on the phone; sent to the server when the network is back.",
    register: "Register",
    waitlist: "Join the waitlist",
    unregister: "Cancel my registration",
    leaveWaitlist: "Leave the waitlist",
    registered: "Registered",
    waitlisted: "Waitlist, position {n}",
    waitlistedUnknown: "On the waitlist",
    offline: "Offline: registering needs the network.",
    cancelled: "Session cancelled: registration is closed.",
    conflict: "Registration refused: the session has started or was cancelled.",
    calendar: "Add to calendar",
  },
});

export class SessionActions extends SalonElement {
  static override properties = {
    session: { attribute: false },
    me: { attribute: false },
    live: { attribute: false },
    position: { attribute: false },
    signedIn: { type: Boolean, attribute: "signed-in" },
    online: { state: true },
    busy: { state: true },
    problem: { state: true },
    queued: { state: true },
  };
  declare session: SessionRecord | null;
  declare me: MeRecord | null;
  declare live: LiveSeats | null;
  /** The waitlist position the server last gave this phone for this session. */
  declare position: number | null;
  declare signedIn: boolean;
  declare online: boolean;
  declare busy: boolean;
  declare problem: string;
  declare queued: boolean;

  constructor() {
    super();
    this.session = null;
    this.me = null;
    this.live = null;
    this.position = null;
    this.signedIn = false;
    this.online = navigator.onLine;
    watchNetwork(this, (online) => (this.online = online));
    this.busy = false;
    this.problem = "";
    this.queued = false;
  }

  static override styles = [
    base,
    css`
      section {
        display: flex;
        flex-direction: column;
        gap: 0.5rem;
        margin: 0.75rem 0;
      }
      .row {
        display: flex;
        flex-wrap: wrap;
        gap: 0.5rem;
        align-items: center;
      }
      p {
        margin: 0;
      }
      .state {
        font-weight: 700;
      }
      button.on {
        background: var(--brand-soft);
        border-color: var(--brand);
      }
    `,
  ];

  private registration(): LiveSeats["viewerRegistration"] {
    if (this.live) return this.live.viewerRegistration;
    const entry = this.me?.schedule.sessions.find((x) => x.id === this.session?.id);
    return (entry?.viewerRegistration as LiveSeats["viewerRegistration"]) ?? null;
  }

  private async toggleBookmark(): Promise<void> {
    const session = this.session;
    if (!session) return;
    if (sentToSignIn(this.signedIn)) return;
    await setBookmark(session.id, !isBookmarked(this.me, session.id));
    this.queued = (await pendingChanges()) > 0;
  }

  private async changeRegistration(): Promise<void> {
    const session = this.session;
    if (!session) return;
    if (sentToSignIn(this.signedIn)) return;
    if (!this.me) return; // who we are is still on its way (the button waits for it)
    const key = waitlistKey(this.me.id, session.id);
    await act(this, async () => {
      let now: LiveSeats["viewerRegistration"] = null;
      if (this.registration()) {
        await cancelRegistration(session.id);
        await (await db()).delete("kv", key);
      } else {
        const answer = await register(session.id);
        now = answer.status;
        this.position = answer.waitlistPosition;
        // The API gives the position only in this answer: keep it for the next visit.
        if (answer.waitlistPosition !== null) await setValue(key, answer.waitlistPosition);
      }
      // Shown at once; the screen then asks the server for the seats again.
      if (this.live) this.live = { ...this.live, viewerRegistration: now };
      this.dispatchEvent(new CustomEvent("session-changed"));
    }, (error) => {
      if (error.code === "CONFLICT") return s("conflict");
      if (error.code !== "UNAUTHENTICATED") return null;
      // The token is no longer valid: sign in again (and back here), nothing to say.
      navigate(signInPath());
      return "";
    });
  }

  private addToCalendar(): void {
    const x = this.session;
    if (!x) return;
    const body = sessionIcs({
      id: x.id,
      version: x.version,
      status: x.status,
      startsAt: x.startsAt,
      endsAt: x.endsAt,
      title: pick(x.titleFr, x.titleEn),
      description: pick(x.abstractFr, x.abstractEn) || null,
      location: placeName(x) || null,
      url: `${location.origin}/session/${encodeURIComponent(x.id)}`,
    });
    download(`sistep-2026-${x.id}.ics`, body);
  }

  private registrationPart(session: SessionRecord): TemplateResult | typeof nothing {
    const status = this.registration();
    // A session without a seat limit is open to all: nothing to register for.
    if (session.capacity === null && !status) return nothing;
    const blocked = !this.signedIn
      ? ""
      : !this.online
        ? s("offline")
        : !status && session.status === "CANCELLED"
          ? s("cancelled")
          : "";
    const label =
      status === "REGISTERED"
        ? s("unregister")
        : status === "WAITLISTED"
          ? s("leaveWaitlist")
          : this.live?.seatsLeft === 0
            ? s("waitlist")
            : s("register");
    const state =
      status === "REGISTERED"
        ? s("registered")
        : status === "WAITLISTED"
          ? this.position
            ? s("waitlisted", { n: this.position })
            : s("waitlistedUnknown")
          : "";
    return html`
      ${state ? html`<p class="state" role="status" data-testid="registration">${state}</p>` : nothing}
      <div class="row">
        <button
          class=${status ? "" : "primary"}
          ?disabled=${!!blocked || this.busy || (this.signedIn && !this.me)}
          aria-describedby=${blocked ? "blocked" : nothing}
          @click=${() => void this.changeRegistration()}
        >
          ${label}
        </button>
      </div>
      ${blocked ? html`<p id="blocked" class="muted">${blocked}</p>` : nothing}
      ${this.problem ? html`<p class="error" role="alert">${this.problem}</p>` : nothing}
    `;
  }

  override render(): TemplateResult | typeof nothing {
    const session = this.session;
    if (!session) return nothing;
    const bookmarked = this.signedIn && isBookmarked(this.me, session.id);
    return html`<section aria-label=${s("actions")}>
      <div class="row">
        <button class=${bookmarked ? "on" : ""} @click=${() => void this.toggleBookmark()}>
          <span aria-hidden="true">${bookmarked ? "★" : "☆"}</span>
          ${bookmarked ? s("unbookmark") : s("bookmark")}
        </button>
        <button @click=${() => this.addToCalendar()}>${s("calendar")}</button>
      </div>
      ${this.queued && !this.online ? html`<p class="muted" role="status">${s("queued")}</p>` : nothing}
      ${this.registrationPart(session)}
    </section>`;
  }
}

customElements.define("session-actions", SessionActions);
