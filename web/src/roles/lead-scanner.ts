// The stand's lead scanner: a visitor's badge read by the camera (BarcodeDetector,
// where the browser has it: QR codes and Code 128) or typed from under its QR code,
// a note, and captureLead; then the stand's leads (me.leads), and the CSV of them
// (GET /exhibitor/leads.csv, which wants the bearer token: fetched, saved as a file).
import { html, css, nothing, type TemplateResult } from "lit";
import { SalonElement } from "../app/salon-element";
import { base } from "../app/styles";
import { graphql } from "../lib/api";
import { token } from "../lib/auth";
import { clockTime, dayName, fairDay } from "../lib/fair-time";
import { lang, strings } from "../lib/i18n";
import { formStyles } from "./form-styles";
import { localProblem, problemBox, problemOf, type Problem } from "./problem";

const s = strings({
  fr: {
    scan: "Scanner un badge",
    consent: "Avec l'accord du visiteur : son nom et son e-mail rejoignent les contacts du stand.",
    camera: "Scanner avec la caméra",
    stopCamera: "Arrêter la caméra",
    aim: "Visez le QR code du badge.",
    noCamera: "Ce navigateur ne lit pas les codes : tapez le code imprimé sous le QR code du badge.",
    cameraRefused: "La caméra n'est pas disponible (refusée ou absente) : tapez le code du badge.",
    code: "Code du badge",
    codeHint: "Imprimé sous le QR code, par exemple SIS26-AB12-CD34.",
    note: "Note (facultative)",
    noteHint: "Ce dont vous avez parlé : une nouvelle lecture du badge la remplace.",
    save: "Enregistrer le contact",
    saving: "Enregistrement…",
    empty: "Tapez ou scannez le code du badge.",
    saved: "Contact enregistré : {who}.",
    anonymous: "visiteur sans nom",
    NOT_FOUND: "Aucun badge ne porte ce code. Vérifiez les lettres et les chiffres.",
    RATE_LIMITED: "Trop de codes inconnus d'affilée : réessayez dans quelques minutes.",
    leads: "Nos contacts ({n})",
    none: "Aucun contact pour l'instant.",
    download: "Télécharger les contacts (CSV)",
    downloading: "Téléchargement…",
    downloadFailed: "Le fichier n'a pas pu être téléchargé. Réessayez une fois en ligne.",
    at: "Scanné {day} à {time}",
  },
  en: {
    scan: "Scan a badge",
    consent: "With the visitor's consent: their name and e-mail join the stand's contacts.",
    camera: "Scan with the camera",
    stopCamera: "Stop the camera",
    aim: "Aim at the badge's QR code.",
    noCamera: "This browser cannot read codes: type the code printed under the badge's QR code.",
    cameraRefused: "The camera is not available (refused or missing): type the badge code.",
    code: "Badge code",
    codeHint: "Printed under the QR code, for example SIS26-AB12-CD34.",
    note: "Note (optional)",
    noteHint: "What you talked about: scanning the badge again replaces it.",
    save: "Save the contact",
    saving: "Saving…",
    empty: "Type or scan the badge code.",
    saved: "Contact saved: {who}.",
    anonymous: "unnamed visitor",
    NOT_FOUND: "No badge has this code. Check its letters and digits.",
    RATE_LIMITED: "Too many unknown codes in a row: try again in a few minutes.",
    leads: "Our contacts ({n})",
    none: "No contacts yet.",
    download: "Download the contacts (CSV)",
    downloading: "Downloading…",
    downloadFailed: "The file could not be downloaded. Try again once online.",
    at: "Scanned {day} at {time}",
  },
});

export interface Lead {
  id: string;
  name: string | null;
  email: string | null;
  company: string | null;
  note: string | null;
  capturedAt: string;
}

const LEAD_FIELDS = "id name email company note capturedAt";
const CAPTURE = `mutation CaptureLead($badgeCode: String!, $note: String) { captureLead(badgeCode: $badgeCode, note: $note) { ${LEAD_FIELDS} } }`;
const LEADS = `query Leads { me { leads { ${LEAD_FIELDS} } } }`;

/** The part of the Barcode Detection API used here (not in TypeScript's DOM types yet). */
interface Detector {
  detect(source: HTMLVideoElement): Promise<{ rawValue: string }[]>;
}
type DetectorClass = new (options: { formats: string[] }) => Detector;

function detectorClass(): DetectorClass | null {
  const found = (window as unknown as { BarcodeDetector?: DetectorClass }).BarcodeDetector;
  // No mediaDevices outside a secure context (plain http on the venue's network).
  return found && "mediaDevices" in navigator ? found : null;
}

export class LeadScanner extends SalonElement {
  static override properties = {
    leads: { state: true },
    scanning: { state: true },
    cameraProblem: { state: true },
    busy: { state: true },
    problem: { state: true },
    saved: { state: true },
    downloading: { state: true },
    downloadProblem: { state: true },
  };
  declare leads: Lead[] | null;
  declare scanning: boolean;
  declare cameraProblem: boolean;
  declare busy: boolean;
  declare problem: Problem | null;
  declare saved: Lead | null;
  declare downloading: boolean;
  declare downloadProblem: boolean;
  private stream: MediaStream | null = null;
  private timer = 0;

  constructor() {
    super();
    this.leads = null;
    this.scanning = this.cameraProblem = this.busy = this.downloading = this.downloadProblem = false;
    this.problem = null;
    this.saved = null;
  }

  static override styles = [
    base,
    formStyles,
    css`
      video { width: 100%; max-height: 50vh; border-radius: 0.6rem; background: #000; }
      ol { list-style: none; padding: 0; margin: 0; }
      .note { white-space: pre-line; margin: 0.2rem 0; }
    `,
  ];

  protected override async refresh(): Promise<void> {
    try {
      const { me } = await graphql<{ me: { leads: Lead[] } | null }>(LEADS);
      this.leads = me?.leads ?? [];
    } catch {
      this.leads ??= [];
    }
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.stopCamera();
  }

  private get codeField(): HTMLInputElement {
    return this.renderRoot.querySelector("#lead-code") as HTMLInputElement;
  }

  private async startCamera(): Promise<void> {
    const Found = detectorClass();
    if (!Found) return;
    this.cameraProblem = false;
    try {
      this.stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false });
    } catch {
      this.cameraProblem = true;
      return;
    }
    this.scanning = true;
    await this.updateComplete;
    const video = this.renderRoot.querySelector("video") as HTMLVideoElement;
    video.srcObject = this.stream;
    await video.play().catch(() => undefined);
    const detector = new Found({ formats: ["qr_code", "code_128"] });
    const look = async (): Promise<void> => {
      if (!this.scanning) return;
      const codes = await detector.detect(video).catch(() => []);
      const code = codes[0]?.rawValue.trim();
      if (code) {
        this.stopCamera();
        this.codeField.value = code;
        this.renderRoot.querySelector<HTMLTextAreaElement>("#lead-note")?.focus();
        return;
      }
      this.timer = window.setTimeout(() => void look(), 250);
    };
    void look();
  }

  private stopCamera(): void {
    clearTimeout(this.timer);
    this.stream?.getTracks().forEach((track) => track.stop());
    this.stream = null;
    this.scanning = false;
  }

  private async submit(event: Event): Promise<void> {
    event.preventDefault();
    this.problem = null;
    this.saved = null;
    const badgeCode = this.codeField.value.trim();
    if (!badgeCode) {
      this.problem = localProblem(s("empty"));
      return;
    }
    const note = this.renderRoot.querySelector<HTMLTextAreaElement>("#lead-note")?.value.trim() || null;
    this.busy = true;
    try {
      const { captureLead: lead } = await graphql<{ captureLead: Lead }>(CAPTURE, { badgeCode, note });
      this.saved = lead;
      this.leads = [lead, ...(this.leads ?? []).filter((x) => x.id !== lead.id)];
      (this.renderRoot.querySelector("form") as HTMLFormElement).reset();
      this.codeField.focus();
    } catch (error) {
      this.problem = problemOf(error);
    } finally {
      this.busy = false;
    }
  }

  /** The CSV needs the bearer token, which a plain link cannot send: fetch it, save the blob. */
  private async download(): Promise<void> {
    this.downloading = true;
    this.downloadProblem = false;
    try {
      const response = await fetch("/exhibitor/leads.csv", { headers: { authorization: `Bearer ${token() ?? ""}` } });
      if (!response.ok) throw new Error(`answered ${response.status}`);
      const url = URL.createObjectURL(await response.blob());
      const link = document.createElement("a");
      link.href = url;
      link.download = "leads.csv";
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch {
      this.downloadProblem = true;
    } finally {
      this.downloading = false;
    }
  }

  private who(lead: Lead): string {
    return [lead.name ?? s("anonymous"), lead.company].filter(Boolean).join(" — ");
  }

  private camera(): TemplateResult {
    if (!detectorClass()) return html`<p class="hint">${s("noCamera")}</p>`;
    if (this.scanning) {
      return html`<p class="hint" role="status">${s("aim")}</p>
        <video playsinline muted aria-label=${s("aim")}></video>
        <div class="actions"><button type="button" @click=${() => this.stopCamera()}>${s("stopCamera")}</button></div>`;
    }
    return html`<div class="actions">
        <button type="button" class="primary" @click=${() => void this.startCamera()}>${s("camera")}</button>
      </div>
      ${this.cameraProblem ? html`<p class="hint" role="alert">${s("cameraRefused")}</p>` : nothing}`;
  }

  private list(): TemplateResult {
    const leads = this.leads;
    if (leads === null) return html`<h2>${s("leads", { n: "…" })}</h2>`;
    return html`<h2>${s("leads", { n: leads.length })}</h2>
      ${leads.length
        ? html`<ol data-testid="leads">
            ${leads.map(
              (lead) => html`<li class="card" data-lead-id=${lead.id}>
                <strong>${this.who(lead)}</strong>
                ${lead.email ? html`<div><a href="mailto:${lead.email}">${lead.email}</a></div>` : nothing}
                ${lead.note ? html`<p class="note">${lead.note}</p>` : nothing}
                <div class="muted">
                  ${s("at", { day: dayName(fairDay(lead.capturedAt), lang(), "short"), time: clockTime(lead.capturedAt) })}
                </div>
              </li>`,
            )}
          </ol>
          <div class="actions">
            <button type="button" ?disabled=${this.downloading} @click=${() => void this.download()}>
              ${this.downloading ? s("downloading") : s("download")}
            </button>
          </div>
          ${this.downloadProblem ? html`<p class="error" role="alert">${s("downloadFailed")}</p>` : nothing}`
        : html`<p>${s("none")}</p>`}`;
  }

  override render(): TemplateResult {
    return html`<h2>${s("scan")}</h2>
      <p class="hint">${s("consent")}</p>
      ${this.camera()}
      <form @submit=${(e: Event) => void this.submit(e)} novalidate>
        <label for="lead-code">${s("code")}</label>
        <p class="hint" id="lead-code-hint">${s("codeHint")}</p>
        <input id="lead-code" name="code" autocomplete="off" autocapitalize="characters" spellcheck="false"
          aria-describedby="lead-code-hint" />
        <label for="lead-note">${s("note")}</label>
        <p class="hint" id="lead-note-hint">${s("noteHint")}</p>
        <textarea id="lead-note" name="note" maxlength="1000" aria-describedby="lead-note-hint"></textarea>
        <div class="actions">
          <button class="primary" type="submit" ?disabled=${this.busy}>${this.busy ? s("saving") : s("save")}</button>
        </div>
        ${problemBox(this.problem, { NOT_FOUND: s("NOT_FOUND"), RATE_LIMITED: s("RATE_LIMITED") })}
        ${this.saved ? html`<p class="done" role="status">${s("saved", { who: this.who(this.saved) })}</p>` : nothing}
      </form>
      ${this.list()}`;
  }
}

customElements.define("lead-scanner", LeadScanner);
