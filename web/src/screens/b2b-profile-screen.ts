// My business profile: the company, its country, sectors (the fair's), what it offers
// and what it needs (short phrases), a summary, and whether it takes meetings. Saved
// whole (saveBusinessProfile); the server's refusals are shown under the form.
import { html, css, nothing, type TemplateResult } from "lit";
import { SalonElement } from "../app/salon-element";
import { base } from "../app/styles";
import { countryName, SECTOR_IDS, sectorName } from "../components/exhibitor-labels";
import { strings } from "../lib/i18n";
import { myMeetings, saveProfile, storedMeetings, type ProfileInput } from "../b2b/data";
import { b2bNav, b2bStyles, w } from "../b2b/words";
import { formStyles } from "../roles/form-styles";
import { localProblem, problemBox, problemOf, type Problem } from "../roles/problem";
import { signedInPerson, signInPrompt } from "../roles/sign-in-gate";
import "../b2b/tag-list";

const s = strings({
  fr: {
    intro: "Ce profil présente votre entreprise aux autres participants : ils y trouvent de quoi vous proposer un rendez-vous.",
    company: "Entreprise",
    country: "Pays",
    countryHint: "Code à deux lettres : MA pour le Maroc, FR pour la France, SN pour le Sénégal…",
    countryBad: "« {code} » n'est pas un code de pays : tapez ses deux lettres (MA pour le Maroc).",
    sectors: "Secteurs",
    offers: "Ce que nous proposons",
    offersHint: "Savoir-faire, produits, services : « usinage CNC », « fonderie »…",
    needs: "Ce que nous cherchons",
    needsHint: "Fournisseurs, partenaires, compétences : « traitement de surface »…",
    summary: "Présentation",
    open: "J'accepte de recevoir des demandes de rendez-vous",
    openHint: "Décoché, votre profil n'apparaît plus dans l'annuaire.",
    save: "Enregistrer le profil",
    saving: "Enregistrement…",
    saved: "Profil enregistré.",
    loading: "Chargement du profil…",
  },
  en: {
    intro: "This profile presents your company to the other participants: it tells them why to ask you for a meeting.",
    company: "Company",
    country: "Country",
    countryHint: "Two-letter code: MA for Morocco, FR for France, SN for Senegal…",
    countryBad: "“{code}” is not a country code: type its two letters (MA for Morocco).",
    sectors: "Sectors",
    offers: "What we offer",
    offersHint: "Skills, products, services: “CNC machining”, “foundry”…",
    needs: "What we look for",
    needsHint: "Suppliers, partners, skills: “surface treatment”…",
    summary: "About us",
    open: "I accept meeting requests",
    openHint: "Unticked, your profile no longer shows in the directory.",
    save: "Save the profile",
    saving: "Saving…",
    saved: "Profile saved.",
    loading: "Loading the profile…",
  },
});

type State = "loading" | "signed-out" | "offline" | "ready";

const EMPTY: ProfileInput = {
  company: "",
  country: "MA",
  sectors: [],
  offers: [],
  needs: [],
  summary: null,
  openToMeetings: true,
};

export class B2bProfileScreen extends SalonElement {
  static override properties = {
    state: { state: true },
    draft: { state: true },
    problem: { state: true },
    badCountry: { state: true },
    saved: { state: true },
    busy: { state: true },
  };
  declare state: State;
  declare draft: ProfileInput;
  declare problem: Problem | null;
  declare badCountry: boolean;
  declare saved: boolean;
  declare busy: boolean;
  protected override watches = ["me"];
  private dirty = false;

  constructor() {
    super();
    this.state = "loading";
    this.draft = EMPTY;
    this.problem = null;
    this.badCountry = false;
    this.saved = false;
    this.busy = false;
  }

  static override styles = [
    base,
    formStyles,
    b2bStyles,
    css`
      .sectors { display: grid; grid-template-columns: 1fr; }
      .country { display: flex; gap: 0.6rem; align-items: center; }
      .country input { width: 5rem !important; text-transform: uppercase; }
    `,
  ];

  protected override async refresh(): Promise<void> {
    const me = await signedInPerson();
    if (typeof me === "string") {
      this.state = me;
      return;
    }
    const kept = await storedMeetings();
    if (kept) this.fill(kept.profile);
    try {
      const { mine } = await myMeetings();
      if (mine) this.fill(mine.profile);
      else if (!kept) this.state = "offline";
    } catch (error) {
      this.problem = problemOf(error);
      this.state = "ready";
    }
  }

  /** The form shows the saved profile until the person types: a later read never undoes typing. */
  private fill(profile: ProfileInput | null): void {
    this.state = "ready";
    if (this.dirty) return;
    this.draft = profile
      ? {
          company: profile.company,
          country: profile.country,
          sectors: profile.sectors,
          offers: profile.offers,
          needs: profile.needs,
          summary: profile.summary,
          openToMeetings: profile.openToMeetings,
        }
      : EMPTY;
  }

  private change(part: Partial<ProfileInput>): void {
    this.draft = { ...this.draft, ...part };
    this.dirty = true;
    this.saved = false;
    if ("country" in part) this.badCountry = false;
  }

  private toggleSector(id: string, on: boolean): void {
    const sectors = this.draft.sectors.filter((x) => x !== id);
    this.change({ sectors: on ? SECTOR_IDS.filter((x) => x === id || sectors.includes(x)) : sectors });
  }

  private async submit(event: Event): Promise<void> {
    event.preventDefault();
    this.problem = null;
    this.saved = false;
    const country = this.draft.country.trim().toUpperCase();
    if (!/^[A-Z]{2}$/.test(country)) {
      this.badCountry = true;
      this.problem = localProblem(s("countryBad", { code: this.draft.country }));
      return;
    }
    this.busy = true;
    try {
      const saved = await saveProfile({ ...this.draft, country, summary: this.draft.summary?.trim() || null });
      this.dirty = false;
      this.fill(saved);
      this.saved = true;
    } catch (error) {
      this.problem = problemOf(error);
      // The server knows the codes: one it refuses is the country field's fault.
      this.badCountry = this.problem.code === "BAD_USER_INPUT" && /country/i.test(this.problem.detail ?? "");
      if (this.badCountry) this.problem = localProblem(s("countryBad", { code: country }));
    } finally {
      this.busy = false;
    }
  }

  private form(): TemplateResult {
    const d = this.draft;
    const name = /^[A-Za-z]{2}$/.test(d.country) ? countryName(d.country.toUpperCase()) : "";
    return html`<form @submit=${(e: Event) => void this.submit(e)} novalidate>
      <label for="company">${s("company")}</label>
      <input id="company" name="company" type="text" required maxlength="200" autocomplete="organization"
        .value=${d.company} @input=${(e: Event) => this.change({ company: (e.target as HTMLInputElement).value })} />
      <label for="country">${s("country")}</label>
      <p class="hint" id="country-hint">${s("countryHint")}</p>
      <div class="country">
        <input id="country" name="country" type="text" required maxlength="2" autocomplete="off" spellcheck="false"
          autocapitalize="characters" aria-describedby="country-hint country-name" aria-invalid=${this.badCountry ? "true" : "false"}
          .value=${d.country} @input=${(e: Event) => this.change({ country: (e.target as HTMLInputElement).value })} />
        <span id="country-name" class="muted">${name !== d.country.toUpperCase() ? name : ""}</span>
      </div>
      <fieldset>
        <legend>${s("sectors")}</legend>
        <div class="sectors">
          ${SECTOR_IDS.map(
            (id) => html`<label class="check">
              <input type="checkbox" name="sector" value=${id} .checked=${d.sectors.includes(id)}
                @change=${(e: Event) => this.toggleSector(id, (e.target as HTMLInputElement).checked)} />
              ${sectorName(id)}
            </label>`,
          )}
        </div>
      </fieldset>
      <tag-list data-list="offers" .label=${s("offers")} .hint=${s("offersHint")} .items=${d.offers}
        @change=${(e: CustomEvent<string[]>) => this.change({ offers: e.detail })}></tag-list>
      <tag-list data-list="needs" .label=${s("needs")} .hint=${s("needsHint")} .items=${d.needs}
        @change=${(e: CustomEvent<string[]>) => this.change({ needs: e.detail })}></tag-list>
      <label for="summary">${s("summary")}</label>
      <textarea id="summary" name="summary" maxlength="2000" .value=${d.summary ?? ""}
        @input=${(e: Event) => this.change({ summary: (e.target as HTMLTextAreaElement).value })}></textarea>
      <label class="check">
        <input type="checkbox" name="open" .checked=${d.openToMeetings} aria-describedby="open-hint"
          @change=${(e: Event) => this.change({ openToMeetings: (e.target as HTMLInputElement).checked })} />
        ${s("open")}
      </label>
      <p class="hint" id="open-hint">${s("openHint")}</p>
      <div class="actions">
        <button class="primary" type="submit" ?disabled=${this.busy}>${this.busy ? s("saving") : s("save")}</button>
      </div>
      ${problemBox(this.problem)}
      ${this.saved ? html`<p class="done" role="status">${s("saved")}</p>` : nothing}
    </form>`;
  }

  override render(): TemplateResult {
    const heading = html`<h1>${w("profile")}</h1>`;
    switch (this.state) {
      case "signed-out":
        return signInPrompt(heading, w("signIn"));
      case "offline":
        return html`${heading}${b2bNav("/b2b/profile")}<p role="status">${w("offline")}</p>`;
      case "loading":
        return html`${heading}${b2bNav("/b2b/profile")}<p role="status">${s("loading")}</p>`;
    }
    return html`${heading}${b2bNav("/b2b/profile")}
      <p>${s("intro")}</p>
      ${this.form()}`;
  }
}

customElements.define("b2b-profile-screen", B2bProfileScreen);
