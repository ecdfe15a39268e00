// The whole programme in the phone's calendar: a webcal:// subscription to the server's
// public /schedule.ics (calendar apps poll it and follow every change), and the plain
// https file for apps that only import. Shown on the agenda and on "My schedule".
import { html, css, type TemplateResult } from "lit";
import { strings } from "../lib/i18n";
import { programmeFeedUrl, webcalUrl } from "../lib/ics";

const s = strings({
  fr: {
    help: "Toutes les sessions du salon dans l'agenda de votre téléphone, à jour toutes seules.",
    subscribe: "S'abonner à tout le programme",
    download: "Télécharger le programme (fichier .ics)",
  },
  en: {
    help: "Every session of the fair in your phone's calendar, kept up to date by itself.",
    subscribe: "Subscribe to the whole programme",
    download: "Download the programme (.ics file)",
  },
});

export const programmeCalendarStyles = css`
  .programme-calendar .links {
    display: flex;
    flex-wrap: wrap;
    gap: 0.5rem;
    align-items: center;
  }
`;

export function programmeCalendar(): TemplateResult {
  const https = programmeFeedUrl();
  return html`<div class="programme-calendar">
    <p class="muted">${s("help")}</p>
    <p class="links">
      <a class="button" href=${webcalUrl(https)} data-testid="programme-webcal">${s("subscribe")}</a>
      <a href=${https} download="sistep-2026.ics" data-testid="programme-ics">${s("download")}</a>
    </p>
  </div>`;
}
