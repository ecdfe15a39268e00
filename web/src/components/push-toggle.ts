// Notifications on this phone, for a signed-in person: why turn them on, the button (the
// browser's question comes only from that tap), and what to do when they cannot be:
// an iPhone needs the app on its Home Screen first, a refusal is undone in the settings.
import { html, css, nothing, type TemplateResult } from "lit";
import { SalonElement } from "../app/salon-element";
import { base } from "../app/styles";
import { onLangChange, strings } from "../lib/i18n";
import { signedIn } from "../lib/me";
import { isIos, keepPushLang, pushState, turnOff, turnOn, type PushProblem, type PushState } from "../lib/push";

const s = strings({
  fr: {
    title: "Notifications",
    why: "Un changement de salle ou d'horaire, une annulation, une place libérée : vous êtes prévenu même app fermée.",
    turnOn: "Activer les notifications",
    turnOff: "Désactiver les notifications",
    on: "Notifications activées",
    turnedOn: "Notifications activées.",
    turnedOff: "Notifications désactivées.",
    working: "Un instant…",
    homeScreen:
      "Sur iPhone et iPad, les notifications demandent d'abord d'ajouter l'app à l'écran d'accueil : touchez Partager, puis « Sur l'écran d'accueil ». Ouvrez ensuite l'app depuis son icône et activez-les ici.",
    denied:
      "Les notifications sont bloquées pour cette app. Pour les autoriser de nouveau : menu du navigateur → Paramètres → Paramètres des sites → Notifications, autorisez ce site, puis rechargez la page.",
    deniedIos:
      "Les notifications sont bloquées pour cette app. Pour les autoriser de nouveau : Réglages → Notifications → SISTEP 2026 → Autoriser les notifications.",
    unsupported: "Ce navigateur ne reçoit pas de notifications : les changements de vos sessions restent dans Avis.",
    dismissed: "Notifications non activées : répondez « Autoriser » quand le navigateur le demande.",
    unreachable:
      "Le service de notifications du navigateur est injoignable : notifications non activées. Réessayez plus tard ou sur un autre réseau.",
    refused: "Ce navigateur ne donne pas de notifications ici (fenêtre de navigation privée ?) : ouvrez l'app dans une fenêtre normale.",
    offline: "Pas de réseau : notifications non activées. Réessayez une fois en ligne.",
    signedOut: "Votre session a expiré : reconnectez-vous pour activer les notifications.",
    tooManyDevices: "Vous recevez déjà les notifications sur trop d'appareils : désactivez-les sur l'un d'eux d'abord.",
    notReady: "L'app finit de s'installer sur ce téléphone : réessayez dans un instant.",
    failed: "Les notifications n'ont pas pu être activées. Réessayez.",
    stillOn: "Les notifications n'ont pas pu être désactivées. Réessayez.",
  },
  en: {
    title: "Notifications",
    why: "A new room or time, a cancellation, a seat freed up: you hear of it even when the app is closed.",
    turnOn: "Turn on notifications",
    turnOff: "Turn off notifications",
    on: "Notifications are on",
    turnedOn: "Notifications turned on.",
    turnedOff: "Notifications turned off.",
    working: "One moment…",
    homeScreen:
      "On iPhone and iPad, notifications first need the app on your Home Screen: tap Share, then “Add to Home Screen”. Then open the app from its icon and turn them on here.",
    denied:
      "Notifications are blocked for this app. To allow them again: browser menu → Settings → Site settings → Notifications, allow this site, then reload the page.",
    deniedIos:
      "Notifications are blocked for this app. To allow them again: Settings → Notifications → SISTEP 2026 → Allow Notifications.",
    unsupported: "This browser does not get notifications: changes to your sessions stay in Notices.",
    dismissed: "Notifications not turned on: answer “Allow” when the browser asks.",
    unreachable:
      "The browser's notification service cannot be reached: notifications not turned on. Try again later or on another network.",
    refused: "This browser gives no notifications here (a private window?): open the app in a normal window.",
    offline: "No network: notifications not turned on. Try again once online.",
    signedOut: "Your session has expired: sign in again to turn on notifications.",
    tooManyDevices: "You already get notifications on too many devices: turn them off on one first.",
    notReady: "The app is still installing on this phone: try again in a moment.",
    failed: "Notifications could not be turned on. Try again.",
    stillOn: "Notifications could not be turned off. Try again.",
  },
});

type Outcome = PushProblem | "turnedOn" | "turnedOff";

export class PushToggle extends SalonElement {
  static override properties = {
    state: { state: true },
    busy: { state: true },
    outcome: { state: true },
  };
  /** null until the phone said what it can do. */
  declare state: PushState | null;
  declare busy: boolean;
  declare outcome: Outcome | null;
  private stopLang: (() => void) | null = null;
  /** Back from the settings (notifications allowed again there): look once more. */
  private onVisible = (): void => {
    if (document.visibilityState === "visible" && !this.busy) void this.refresh();
  };

  constructor() {
    super();
    this.state = null;
    this.busy = false;
    this.outcome = null;
  }

  static override styles = [
    base,
    css`
      .row {
        display: flex;
        flex-wrap: wrap;
        gap: 0.5rem;
        align-items: center;
      }
      .on {
        font-weight: 700;
        color: #14532d;
      }
    `,
  ];

  override connectedCallback(): void {
    super.connectedCallback();
    this.stopLang = onLangChange(() => void keepPushLang());
    document.addEventListener("visibilitychange", this.onVisible);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.stopLang?.();
    this.stopLang = null;
    document.removeEventListener("visibilitychange", this.onVisible);
  }

  protected override async refresh(): Promise<void> {
    this.state = await pushState();
    void keepPushLang();
  }

  private async change(to: "on" | "off"): Promise<void> {
    this.busy = true;
    this.outcome = null;
    try {
      const result = to === "on" ? await turnOn() : await turnOff();
      this.state = result.state;
      this.outcome = result.problem ?? (result.state === "on" ? "turnedOn" : result.state === "off" ? "turnedOff" : null);
    } finally {
      this.busy = false;
    }
  }

  private controls(state: PushState): TemplateResult {
    switch (state) {
      case "needs-home-screen":
        return html`<p data-testid="push-home-screen">${s("homeScreen")}</p>`;
      case "unsupported":
        return html`<p class="muted">${s("unsupported")}</p>`;
      case "denied":
        return html`<p data-testid="push-denied">${s(isIos() ? "deniedIos" : "denied")}</p>`;
      case "on":
        return html`<div class="row">
          <span class="on">${s("on")}</span>
          <button ?disabled=${this.busy} @click=${() => void this.change("off")}>${s("turnOff")}</button>
        </div>`;
      case "off":
        return html`<div class="row">
          <button class="primary" ?disabled=${this.busy} @click=${() => void this.change("on")}>${s("turnOn")}</button>
        </div>`;
    }
  }

  override render(): TemplateResult | typeof nothing {
    if (!signedIn() || this.state === null) return nothing;
    const problem = !this.busy && this.outcome !== null && this.outcome !== "turnedOn" && this.outcome !== "turnedOff";
    return html`<section aria-labelledby="push-title">
      <h2 id="push-title">${s("title")}</h2>
      <p>${s("why")}</p>
      ${this.controls(this.state)}
      <p role="status" class=${problem ? "error" : ""} data-testid="push-status">
        ${this.busy ? s("working") : this.outcome ? s(this.outcome) : ""}
      </p>
    </section>`;
  }
}

customElements.define("push-toggle", PushToggle);
