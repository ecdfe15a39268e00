// One company's business profile (/b2b/company/:id): who they are, what they offer
// and look for, their stand when they exhibit, the meetings I already have with them,
// and "Ask for a meeting" (b2b/request-form.ts).
import { html, css, nothing, type TemplateResult } from "lit";
import { SalonElement } from "../app/salon-element";
import { base } from "../app/styles";
import { countryName, sectorName } from "../components/exhibitor-labels";
import { dayName, fairDay, timeRange } from "../lib/fair-time";
import { lang, strings } from "../lib/i18n";
import { meetingPlan, myMeetings, profile, type MeetingPlan, type MyMeetings, type Profile } from "../b2b/data";
import { b2bNav, b2bStyles, statusBadge, w } from "../b2b/words";
import { problemBox, problemOf, type Problem } from "../roles/problem";
import { formStyles } from "../roles/form-styles";
import { signedInPerson, signInPrompt } from "../roles/sign-in-gate";
import "../b2b/request-form";

const s = strings({
  fr: {
    loading: "Chargement du profil…",
    missing: "Ce profil n'existe pas, ou l'entreprise ne prend plus de rendez-vous.",
    offers: "Ce qu'elle propose",
    needs: "Ce qu'elle cherche",
    sectors: "Secteurs :",
    stand: "Voir son stand",
    ask: "Demander un rendez-vous",
    own: "C'est votre profil.",
    edit: "Modifier mon profil",
    closed: "Cette entreprise ne prend pas de rendez-vous pour l'instant.",
    already: "Vos rendez-vous avec elle",
    back: "Toutes les entreprises",
  },
  en: {
    loading: "Loading the profile…",
    missing: "This profile does not exist, or the company no longer takes meetings.",
    offers: "What it offers",
    needs: "What it looks for",
    sectors: "Sectors:",
    stand: "See its stand",
    ask: "Ask for a meeting",
    own: "This is your profile.",
    edit: "Edit my profile",
    closed: "This company takes no meetings for now.",
    already: "Your meetings with them",
    back: "All companies",
  },
});

type State = "loading" | "signed-out" | "missing" | "offline" | "ready";

export class B2bCompanyScreen extends SalonElement {
  static override properties = {
    state: { state: true },
    company: { state: true },
    mine: { state: true },
    plan: { state: true },
    problem: { state: true },
  };
  declare state: State;
  declare company: Profile | null;
  declare mine: MyMeetings | null;
  declare plan: MeetingPlan | null;
  declare problem: Problem | null;
  protected override watches = ["me"];

  constructor() {
    super();
    this.state = "loading";
    this.company = this.mine = this.plan = null;
    this.problem = null;
  }

  static override styles = [
    base,
    formStyles,
    b2bStyles,
    css`
      .summary { white-space: pre-line; }
      ol { list-style: none; padding: 0; margin: 0; }
    `,
  ];

  private get profileId(): string {
    return this.getAttribute("id") ?? "";
  }

  protected override async refresh(): Promise<void> {
    const me = await signedInPerson();
    if (typeof me === "string") {
      this.state = me;
      return;
    }
    if (this.state === "ready") return;
    try {
      const [company, { mine }, plan] = await Promise.all([profile(this.profileId), myMeetings(), meetingPlan()]);
      this.company = company;
      this.mine = mine;
      this.plan = plan;
      this.state = company ? "ready" : "missing";
    } catch (error) {
      this.problem = problemOf(error);
      this.state = this.problem.code === "OFFLINE" ? "offline" : "missing";
    }
  }

  private tagSection(title: string, items: string[]): TemplateResult | typeof nothing {
    if (!items.length) return nothing;
    return html`<h2>${title}</h2>
      <ul class="tags">
        ${items.map((x) => html`<li>${x}</li>`)}
      </ul>`;
  }

  private ask(company: Profile): TemplateResult {
    const own = this.mine?.profile ?? null;
    if (own?.id === company.id) {
      return html`<p>${s("own")}</p>
        <a class="button" href="/b2b/profile">${s("edit")}</a>`;
    }
    if (!own) {
      return html`<p>${w("noProfile")}</p>
        <a class="button primary" href="/b2b/profile">${w("makeProfile")}</a>`;
    }
    if (!company.openToMeetings) return html`<p>${s("closed")}</p>`;
    return html`<meeting-request-form .profile=${company} .plan=${this.plan}></meeting-request-form>`;
  }

  private together(company: Profile): TemplateResult | typeof nothing {
    const shared = (this.mine?.meetings ?? []).filter(
      (m) => m.requester.id === company.id || m.invitee.id === company.id,
    );
    if (!shared.length) return nothing;
    return html`<h2>${s("already")}</h2>
      <ol>
        ${shared.map(
          (m) => html`<li class="line">
            ${dayName(fairDay(m.startsAt), lang(), "short")} ${timeRange(m.startsAt, m.endsAt)} ${statusBadge(m.status)}
          </li>`,
        )}
      </ol>
      <p><a href="/b2b">${w("meetings")}</a></p>`;
  }

  override render(): TemplateResult {
    const company = this.company;
    const heading = html`<h1>${company?.company ?? w("companies")}</h1>`;
    switch (this.state) {
      case "signed-out":
        return signInPrompt(heading, w("signIn"));
      case "loading":
        return html`${heading}${b2bNav("")}<p role="status">${s("loading")}</p>`;
      case "offline":
        return html`${heading}${b2bNav("")}<p role="status">${w("offline")}</p>`;
      case "missing":
        return html`${heading}${b2bNav("")}<p role="status">${s("missing")}</p>
          ${problemBox(this.problem?.code === "NOT_FOUND" ? null : this.problem)}
          <a class="button" href="/b2b/companies">${s("back")}</a>`;
    }
    const c = company as Profile;
    return html`${heading}${b2bNav("")}
      <p class="line muted">
        ${countryName(c.country)}
        ${c.exhibitor ? html`<span class="badge exhibitor">${w("exhibitor")}</span>` : nothing}
      </p>
      ${c.exhibitor ? html`<p><a href="/exhibitor/${encodeURIComponent(c.exhibitor.id)}">${s("stand")} — ${c.exhibitor.name}</a></p>` : nothing}
      ${c.summary ? html`<p class="summary">${c.summary}</p>` : nothing}
      ${c.sectors.length ? html`<p><strong>${s("sectors")}</strong> ${c.sectors.map(sectorName).join(", ")}</p>` : nothing}
      ${this.tagSection(s("offers"), c.offers)} ${this.tagSection(s("needs"), c.needs)} ${this.together(c)}
      <section aria-labelledby="ask-title">
        <h2 id="ask-title">${s("ask")}</h2>
        ${this.ask(c)}
      </section>`;
  }
}

customElements.define("b2b-company-screen", B2bCompanyScreen);
