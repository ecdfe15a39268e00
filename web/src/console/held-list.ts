// The held announcements this console scheduled, each with a "withdraw" button.
// Properties in (the organiser, the list), a `withdrawn` event out.
import { html, css, type TemplateResult } from "lit";
import { SalonElement } from "../app/salon-element";
import { base } from "../app/styles";
import { ApiError, graphql } from "../lib/api";
import { clockTime, dayName, fairDay } from "../lib/fair-time";
import { lang, strings } from "../lib/i18n";
import { formStyles } from "../roles/form-styles";
import { problemBox, problemOf, type Problem } from "../roles/problem";
import { forgetHeld, type HeldRecord } from "./held";

const s = strings({
  fr: {
    why: "Le serveur ne donne pas la liste des annonces programmées : voici celles programmées depuis cette console, sur ce téléphone.",
    none: "Aucune annonce en attente d'envoi.",
    at: "Envoi prévu {day} à {time}",
    withdraw: "Retirer",
    withdrawLabel: "Retirer l'annonce « {title} »",
    withdrawn: "Annonce retirée : « {title} ».",
  },
  en: {
    why: "The server does not list held announcements: here are those scheduled from this console, on this phone.",
    none: "No announcement waiting to be sent.",
    at: "To be sent {day} at {time}",
    withdraw: "Withdraw",
    withdrawLabel: "Withdraw the announcement “{title}”",
    withdrawn: "Announcement withdrawn: “{title}”.",
  },
});

const WITHDRAW = `mutation Withdraw($id: ID!) { withdrawAnnouncement(id: $id) }`;

export class HeldList extends SalonElement {
  static override properties = {
    organiserId: { attribute: false },
    held: { attribute: false },
    problem: { state: true },
    done: { state: true },
  };
  declare organiserId: string;
  declare held: HeldRecord[];
  declare problem: Problem | null;
  declare done: string | null;

  constructor() {
    super();
    this.organiserId = "";
    this.held = [];
    this.problem = null;
    this.done = null;
  }

  static override styles = [
    base,
    formStyles,
    css`
      ul {
        list-style: none;
        padding: 0;
      }
      li.card {
        display: flex;
        gap: 0.75rem;
        align-items: center;
        justify-content: space-between;
      }
    `,
  ];

  private async withdraw(item: HeldRecord): Promise<void> {
    this.problem = null;
    this.done = null;
    try {
      await graphql<{ withdrawAnnouncement: boolean }>(WITHDRAW, { id: item.id });
      this.done = s("withdrawn", { title: item.title });
    } catch (error) {
      this.problem = problemOf(error);
      // Sent meanwhile, or gone: nothing left to withdraw, so it leaves the list too.
      if (!(error instanceof ApiError && ["CONFLICT", "NOT_FOUND"].includes(error.code))) return;
    }
    await forgetHeld(this.organiserId, item.id);
    this.dispatchEvent(new CustomEvent("withdrawn", { detail: item.id, bubbles: true, composed: true }));
  }

  override render(): TemplateResult {
    return html`<p class="hint">${s("why")}</p>
      ${this.held.length
        ? html`<ul>
            ${this.held.map(
              (item) => html`<li class="card" data-held-id=${item.id}>
                <div>
                  <strong>${item.title}</strong>
                  <div class="muted">
                    ${s("at", { day: dayName(fairDay(item.sendAt), lang()), time: clockTime(item.sendAt) })}
                  </div>
                </div>
                <button aria-label=${s("withdrawLabel", { title: item.title })} @click=${() => void this.withdraw(item)}>
                  ${s("withdraw")}
                </button>
              </li>`,
            )}
          </ul>`
        : html`<p>${s("none")}</p>`}
      ${problemBox(this.problem)} ${this.done ? html`<p class="done" role="status">${this.done}</p>` : ""}`;
  }
}

customElements.define("held-list", HeldList);
