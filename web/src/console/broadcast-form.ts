// Broadcast an announcement: French text (English optional), priority, audience,
// now or later (a day and a time on the fair's clocks). An URGENT one to everyone
// asks first: it covers every phone's screen. A held one is remembered (held.ts)
// and announced with a `held` event, so that it can be withdrawn.
import { html, type TemplateResult } from "lit";
import { SalonElement } from "../app/salon-element";
import { base } from "../app/styles";
import { graphql } from "../lib/api";
import { clockTime, dayName, fairDay } from "../lib/fair-time";
import { lang, strings } from "../lib/i18n";
import { fairInstant } from "../roles/fair-clock";
import { formStyles } from "../roles/form-styles";
import { localProblem, problemBox, problemOf, type Problem } from "../roles/problem";
import type { AudiencePicker } from "./audience-picker";
import type { ConfirmDialog } from "./confirm-dialog";
import { keepHeld, type HeldRecord } from "./held";
import type { PickItem } from "./pick-list";
import "./audience-picker";
import "./confirm-dialog";

const s = strings({
  fr: {
    title: "Titre",
    body: "Message",
    titleEn: "Titre en anglais (facultatif)",
    bodyEn: "Message en anglais (facultatif)",
    priority: "Priorité",
    NORMAL: "Normale",
    URGENT: "Urgente (s'affiche en rouge sur tout l'écran)",
    later: "Envoyer plus tard",
    day: "Jour d'envoi",
    time: "Heure d'envoi",
    timeHint: "Heure de Casablanca, celle des horloges du salon.",
    sendNow: "Envoyer l'annonce",
    sendLater: "Programmer l'annonce",
    sending: "Envoi…",
    noAudience: "Choisissez au moins un destinataire.",
    urgentHeading: "Annonce urgente à tout le monde ?",
    urgentMessage: "Elle s'affichera en rouge sur l'écran de chaque téléphone du salon, jusqu'à ce qu'on la ferme.",
    urgentAction: "Envoyer à tout le monde",
    sent: "Annonce envoyée : « {title} ».",
    held: "Annonce programmée pour {day} à {time} : « {title} ».",
  },
  en: {
    title: "Title",
    body: "Message",
    titleEn: "English title (optional)",
    bodyEn: "English message (optional)",
    priority: "Priority",
    NORMAL: "Normal",
    URGENT: "Urgent (shown in red over the whole screen)",
    later: "Send later",
    day: "Day to send",
    time: "Time to send",
    timeHint: "Casablanca time, as the fair's clocks read.",
    sendNow: "Send the announcement",
    sendLater: "Schedule the announcement",
    sending: "Sending…",
    noAudience: "Choose at least one recipient.",
    urgentHeading: "An urgent announcement to everyone?",
    urgentMessage: "It will show in red on the screen of every phone at the fair, until dismissed.",
    urgentAction: "Send to everyone",
    sent: "Announcement sent: “{title}”.",
    held: "Announcement scheduled for {day} at {time}: “{title}”.",
  },
});

const BROADCAST = `mutation Broadcast($input: AnnouncementInput!) {
  broadcastAnnouncement(input: $input) { id createdAt title(lang: FR) }
}`;

interface Sent {
  id: string;
  createdAt: string;
  title: string;
}

export class BroadcastForm extends SalonElement {
  static override properties = {
    organiserId: { attribute: false },
    sessions: { attribute: false },
    exhibitors: { attribute: false },
    days: { attribute: false },
    later: { state: true },
    busy: { state: true },
    problem: { state: true },
    done: { state: true },
  };
  declare organiserId: string;
  declare sessions: PickItem[];
  declare exhibitors: PickItem[];
  declare days: string[];
  declare later: boolean;
  declare busy: boolean;
  declare problem: Problem | null;
  declare done: string | null;

  constructor() {
    super();
    this.organiserId = "";
    this.sessions = [];
    this.exhibitors = [];
    this.days = [];
    this.later = false;
    this.busy = false;
    this.problem = null;
    this.done = null;
  }

  static override styles = [base, formStyles];

  private inner<T extends Element>(selector: string): T {
    return this.renderRoot.querySelector(selector) as T;
  }

  private value(name: string): string {
    return (this.inner<HTMLInputElement>(`[name="${name}"]`)?.value ?? "").trim();
  }

  private async submit(event: Event): Promise<void> {
    event.preventDefault();
    this.problem = null;
    this.done = null;
    const audience = this.inner<AudiencePicker>("audience-picker").value();
    if (!audience) {
      this.problem = localProblem(s("noAudience"));
      return;
    }
    const priority = this.inner<HTMLInputElement>('[name="priority"]:checked').value;
    if (priority === "URGENT" && audience.everyone) {
      const sure = await this.inner<ConfirmDialog>("confirm-dialog").ask(
        s("urgentHeading"),
        s("urgentMessage"),
        s("urgentAction"),
      );
      if (!sure) return;
    }
    this.busy = true;
    try {
      const input = {
        title: this.value("title"),
        body: this.value("body"),
        titleEn: this.value("titleEn") || null,
        bodyEn: this.value("bodyEn") || null,
        priority,
        audience,
        sendAt: this.later ? await fairInstant(this.value("day"), this.value("time")) : null,
      };
      const { broadcastAnnouncement: sent } = await graphql<{ broadcastAnnouncement: Sent }>(BROADCAST, { input });
      await this.sent(sent);
    } catch (error) {
      this.problem = problemOf(error);
    } finally {
      this.busy = false;
    }
  }

  private async sent(sent: Sent): Promise<void> {
    if (this.later) {
      const record: HeldRecord = { id: sent.id, title: sent.title, sendAt: sent.createdAt };
      await keepHeld(this.organiserId, record);
      this.dispatchEvent(new CustomEvent("held", { detail: record, bubbles: true, composed: true }));
      const day = dayName(fairDay(sent.createdAt), lang());
      this.done = s("held", { day, time: clockTime(sent.createdAt), title: sent.title });
    } else {
      this.done = s("sent", { title: sent.title });
    }
    this.inner<HTMLFormElement>("form").reset();
    this.inner<AudiencePicker>("audience-picker").clear();
    this.later = false;
  }

  private text(name: string, label: string, multiline: boolean, required: boolean): TemplateResult {
    const id = `broadcast-${name}`;
    return html`<label for=${id}>${label}</label>
      ${multiline
        ? html`<textarea id=${id} name=${name} ?required=${required} maxlength="4000"></textarea>`
        : html`<input id=${id} name=${name} type="text" ?required=${required} maxlength="200" autocomplete="off" />`}`;
  }

  private when(): TemplateResult {
    return html`<div class="row">
        <div>
          <label for="broadcast-day">${s("day")}</label>
          <select id="broadcast-day" name="day" required>
            ${this.days.map((day) => html`<option value=${day}>${dayName(day, lang())}</option>`)}
          </select>
        </div>
        <div>
          <label for="broadcast-time">${s("time")}</label>
          <input id="broadcast-time" name="time" type="time" required aria-describedby="broadcast-time-hint" />
        </div>
      </div>
      <p class="hint" id="broadcast-time-hint">${s("timeHint")}</p>`;
  }

  override render(): TemplateResult {
    return html`<form @submit=${(e: Event) => void this.submit(e)}>
      ${this.text("title", s("title"), false, true)} ${this.text("body", s("body"), true, true)}
      ${this.text("titleEn", s("titleEn"), false, false)} ${this.text("bodyEn", s("bodyEn"), true, false)}
      <fieldset>
        <legend>${s("priority")}</legend>
        ${(["NORMAL", "URGENT"] as const).map(
          (p) => html`<label class="check">
            <input type="radio" name="priority" value=${p} ?checked=${p === "NORMAL"} />
            ${s(p)}
          </label>`,
        )}
      </fieldset>
      <audience-picker .sessions=${this.sessions} .exhibitors=${this.exhibitors}></audience-picker>
      <label class="check">
        <input
          type="checkbox"
          name="later"
          .checked=${this.later}
          @change=${(e: Event) => (this.later = (e.target as HTMLInputElement).checked)}
        />
        ${s("later")}
      </label>
      ${this.later ? this.when() : ""}
      <div class="actions">
        <button class="primary" type="submit" ?disabled=${this.busy}>
          ${this.busy ? s("sending") : this.later ? s("sendLater") : s("sendNow")}
        </button>
      </div>
      ${problemBox(this.problem)} ${this.done ? html`<p class="done" role="status">${this.done}</p>` : ""}
    </form>
    <confirm-dialog></confirm-dialog>`;
  }
}

customElements.define("broadcast-form", BroadcastForm);
