// Load a schedule or an exhibitor sheet: choose a file, "Simuler" says what would
// change (nothing is written), "Importer" applies it. A refused file lists every
// problem with its place (file, line, column); a report counts, per kind, what was
// added, changed, cancelled… and who each notice reaches. An `imported` event tells the
// console to catch up with the agenda.
import { html, css, nothing, type TemplateResult } from "lit";
import { SalonElement } from "../app/salon-element";
import { base } from "../app/styles";
import { OfflineError, uploadImport, type ImportAnswer, type ImportReport } from "../lib/api";
import { strings } from "../lib/i18n";
import { formStyles } from "../roles/form-styles";
import { localProblem, problemBox, type Problem } from "../roles/problem";

/** The server's cap on one file (the parsers' MAX_FILE_BYTES). */
const MAX_BYTES = 20 * 1024 * 1024;
const KINDS = ["event", "tracks", "rooms", "speakers", "sessions", "exhibitors"] as const;
const OUTCOMES = ["added", "changed", "unchanged", "cancelled", "deleted", "kept"] as const;

const s = strings({
  fr: {
    file: "Fichier (CSV, XLSX, XML frab ou c3voc, JSON c3voc ou pretalx)",
    fileHint: "Son format est reconnu à son contenu. Modèles et colonnes : docs/imports.md.",
    prune: "Supprimer ce que le fichier omet quand personne n'y tient",
    pruneHint: "Sinon, une session omise est annulée (ses inscrits sont prévenus) et un exposant omis est gardé.",
    simulate: "Simuler",
    apply: "Importer",
    working: "Lecture du fichier…",
    noFile: "Choisissez d'abord un fichier.",
    tooLarge: "Ce fichier dépasse 20 Mo : le serveur le refuserait.",
    refused: "Fichier refusé : {n} problème(s), rien n'a été écrit.",
    simulated: "Simulation : voici ce que l'import changerait. Rien n'a été écrit.",
    applied: "Import appliqué : {file}.",
    nothing: "Rien à changer : le salon dit déjà ce que dit {file}.",
    table: "Lignes du fichier, par type",
    notices: "Avis envoyés",
    noticesSimulated: "Avis qui seraient envoyés",
    reach: "{kind} — {session} : {n} personne(s). {text}",
    event: "Salon",
    tracks: "Parcours",
    rooms: "Salles",
    speakers: "Intervenants",
    sessions: "Sessions",
    exhibitors: "Exposants",
    added: "ajoutés",
    changed: "modifiés",
    unchanged: "inchangés",
    cancelled: "annulés",
    deleted: "supprimés",
    kept: "conservés",
    TOO_LARGE: "Ce fichier est trop gros pour le serveur.",
    UNAUTHENTICATED: "Connectez-vous d'abord avec un compte d'organisateur.",
    FORBIDDEN: "Seuls les organisateurs importent des fichiers.",
    OFFLINE: "Pas de réseau : rien n'a été envoyé. Réessayez une fois connecté.",
  },
  en: {
    file: "File (CSV, XLSX, frab or c3voc XML, c3voc or pretalx JSON)",
    fileHint: "Its format is told from its content. Templates and columns: docs/imports.md.",
    prune: "Delete what the file omits when nobody holds it",
    pruneHint: "Otherwise an omitted session is cancelled (its people are told) and an omitted exhibitor is kept.",
    simulate: "Dry run",
    apply: "Import",
    working: "Reading the file…",
    noFile: "Choose a file first.",
    tooLarge: "This file is over 20 MB: the server would refuse it.",
    refused: "File refused: {n} problem(s), nothing was written.",
    simulated: "Dry run: here is what the import would change. Nothing was written.",
    applied: "Import applied: {file}.",
    nothing: "Nothing to change: the fair already says what {file} says.",
    table: "The file's rows, by kind",
    notices: "Notices sent",
    noticesSimulated: "Notices that would be sent",
    reach: "{kind} — {session}: {n} people. {text}",
    event: "Fair",
    tracks: "Tracks",
    rooms: "Rooms",
    speakers: "Speakers",
    sessions: "Sessions",
    exhibitors: "Exhibitors",
    added: "added",
    changed: "changed",
    unchanged: "unchanged",
    cancelled: "cancelled",
    deleted: "deleted",
    kept: "kept",
    TOO_LARGE: "This file is too large for the server.",
    UNAUTHENTICATED: "Sign in with an organiser's account first.",
    FORBIDDEN: "Only the fair's organisers import files.",
    OFFLINE: "No network: nothing was sent. Try again once online.",
  },
});

type ErrorKey = "TOO_LARGE" | "UNAUTHENTICATED" | "FORBIDDEN";

export class ImportForm extends SalonElement {
  static override properties = {
    busy: { state: true },
    problem: { state: true },
    answer: { state: true },
  };
  declare busy: boolean;
  declare problem: Problem | null;
  declare answer: ImportAnswer | null;

  constructor() {
    super();
    this.busy = false;
    this.problem = null;
    this.answer = null;
  }

  static override styles = [
    base,
    formStyles,
    css`
      .counts {
        list-style: none;
        padding: 0;
        margin: 0.5rem 0;
      }
      .counts li {
        display: flex;
        flex-wrap: wrap;
        gap: 0.2rem 0.6rem;
        padding: 0.25rem 0;
        border-bottom: 1px solid var(--line);
      }
      .counts strong {
        flex: 0 0 100%;
      }
      .refusals li {
        margin: 0.3rem 0;
      }
      code {
        font-size: 0.85rem;
      }
    `,
  ];

  private async send(dryRun: boolean): Promise<void> {
    this.problem = null;
    this.answer = null;
    const input = this.renderRoot.querySelector<HTMLInputElement>('input[type="file"]');
    const prune = this.renderRoot.querySelector<HTMLInputElement>('[name="prune"]')?.checked ?? false;
    const file = input?.files?.[0];
    if (!file) {
      this.problem = localProblem(s("noFile"));
      return;
    }
    if (file.size > MAX_BYTES) {
      this.problem = localProblem(s("tooLarge"));
      return;
    }
    this.busy = true;
    try {
      const answer = await uploadImport(file, { dryRun, prune });
      if (answer.error) {
        const known = ["TOO_LARGE", "UNAUTHENTICATED", "FORBIDDEN"].includes(answer.error.code);
        this.problem = known
          ? localProblem(s(answer.error.code as ErrorKey))
          : { code: answer.error.code, detail: answer.error.message };
        return;
      }
      this.answer = answer;
      if (answer.applied && answer.report?.changesAnything) {
        this.dispatchEvent(new CustomEvent("imported", { bubbles: true, composed: true }));
      }
    } catch (error) {
      if (!(error instanceof OfflineError)) throw error;
      this.problem = localProblem(s("OFFLINE"));
    } finally {
      this.busy = false;
    }
  }

  private refusals(answer: ImportAnswer): TemplateResult {
    return html`<div class="problem" role="alert">
      <strong>${s("refused", { n: answer.refusals.length })}</strong>
      <ol class="refusals">
        ${answer.refusals.map((r) => html`<li>${r.text} <code>${r.code}</code></li>`)}
      </ol>
    </div>`;
  }

  private report(report: ImportReport, applied: boolean): TemplateResult {
    const headline = report.dryRun
      ? s("simulated")
      : report.changesAnything
        ? s("applied", { file: report.file })
        : s("nothing", { file: report.file });
    const kinds = KINDS.filter((kind) => OUTCOMES.some((o) => report.kinds[kind]?.[o]?.count));
    return html`<div class="done" role="status">
      <p>${headline}</p>
      ${kinds.length
        ? html`<ul class="counts" aria-label=${s("table")}>
            ${kinds.map(
              (kind) => html`<li data-kind=${kind}>
                <strong>${s(kind)}</strong>
                ${OUTCOMES.filter((o) => report.kinds[kind][o].count).map(
                  (o) => html`<span data-outcome=${o}>${report.kinds[kind][o].count} ${s(o)}</span>`,
                )}
              </li>`,
            )}
          </ul>`
        : nothing}
      ${report.notices.length
        ? html`<p>${applied ? s("notices") : s("noticesSimulated")}</p>
            <ul>
              ${report.notices.map(
                (n) =>
                  html`<li>${s("reach", { kind: n.kind, session: n.sessionId, n: n.audience, text: n.text })}</li>`,
              )}
            </ul>`
        : nothing}
    </div>`;
  }

  override render(): TemplateResult {
    const answer = this.answer;
    return html`<form @submit=${(e: Event) => e.preventDefault()}>
      <label for="import-file">${s("file")}</label>
      <input
        id="import-file"
        name="file"
        type="file"
        accept=".csv,.xlsx,.xml,.json"
        aria-describedby="import-file-hint"
      />
      <p class="hint" id="import-file-hint">${s("fileHint")}</p>
      <label class="check">
        <input type="checkbox" name="prune" aria-describedby="import-prune-hint" />
        ${s("prune")}
      </label>
      <p class="hint" id="import-prune-hint">${s("pruneHint")}</p>
      <div class="actions">
        <button type="button" ?disabled=${this.busy} @click=${() => void this.send(true)}>${s("simulate")}</button>
        <button class="primary" type="button" ?disabled=${this.busy} @click=${() => void this.send(false)}>
          ${s("apply")}
        </button>
      </div>
      ${this.busy ? html`<p role="status">${s("working")}</p>` : nothing} ${problemBox(this.problem)}
      ${answer?.refusals.length ? this.refusals(answer) : nothing}
      ${answer?.report ? this.report(answer.report, answer.applied) : nothing}
    </form>`;
  }
}

customElements.define("import-form", ImportForm);
