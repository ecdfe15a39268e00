// Who an announcement goes to: everyone, some roles, the people of some sessions
// (bookmarkers, registrants, speakers) or of some exhibitors (followers, staff).
// Properties in (what can be picked); the form reads `value()` when it sends, as
// it would an input's value.
import { html, nothing, type TemplateResult } from "lit";
import { SalonElement } from "../app/salon-element";
import { base } from "../app/styles";
import { strings } from "../lib/i18n";
import { formStyles } from "../roles/form-styles";
import type { PickItem } from "./pick-list";
import "./pick-list";

const s = strings({
  fr: {
    legend: "Destinataires",
    everyone: "Tout le monde",
    roles: "Certains rôles",
    sessions: "Le public de sessions",
    exhibitors: "Le public d'exposants",
    rolesLegend: "Rôles",
    sessionsLegend: "Sessions (inscrits, favoris, intervenants)",
    exhibitorsLegend: "Exposants (abonnés et personnel)",
    role_ATTENDEE: "Visiteurs",
    role_SPEAKER: "Intervenants",
    role_EXHIBITOR: "Exposants",
    role_ORGANISER: "Organisateurs",
  },
  en: {
    legend: "Recipients",
    everyone: "Everyone",
    roles: "Some roles",
    sessions: "The people of sessions",
    exhibitors: "The people of exhibitors",
    rolesLegend: "Roles",
    sessionsLegend: "Sessions (registrants, bookmarkers, speakers)",
    exhibitorsLegend: "Exhibitors (followers and staff)",
    role_ATTENDEE: "Attendees",
    role_SPEAKER: "Speakers",
    role_EXHIBITOR: "Exhibitors",
    role_ORGANISER: "Organisers",
  },
});

const ROLES = ["ATTENDEE", "SPEAKER", "EXHIBITOR", "ORGANISER"] as const;
export type AudienceKind = "everyone" | "roles" | "sessions" | "exhibitors";

export interface AudienceInput {
  everyone?: boolean;
  roles?: string[];
  sessionIds?: string[];
  exhibitorIds?: string[];
}

export class AudiencePicker extends SalonElement {
  static override properties = {
    sessions: { attribute: false },
    exhibitors: { attribute: false },
    kind: { state: true },
    roles: { state: true },
    sessionIds: { state: true },
    exhibitorIds: { state: true },
  };
  declare sessions: PickItem[];
  declare exhibitors: PickItem[];
  declare kind: AudienceKind;
  declare roles: string[];
  declare sessionIds: string[];
  declare exhibitorIds: string[];

  constructor() {
    super();
    this.sessions = [];
    this.exhibitors = [];
    this.kind = "everyone";
    this.roles = [];
    this.sessionIds = [];
    this.exhibitorIds = [];
  }

  static override styles = [base, formStyles];

  /** What to send, or null while the chosen kind has nothing picked. */
  value(): AudienceInput | null {
    switch (this.kind) {
      case "everyone":
        return { everyone: true };
      case "roles":
        return this.roles.length ? { roles: this.roles } : null;
      case "sessions":
        return this.sessionIds.length ? { sessionIds: this.sessionIds } : null;
      case "exhibitors":
        return this.exhibitorIds.length ? { exhibitorIds: this.exhibitorIds } : null;
    }
  }

  /** Back to "everyone", after a send. */
  clear(): void {
    this.kind = "everyone";
    this.roles = [];
    this.sessionIds = [];
    this.exhibitorIds = [];
  }

  private toggleRole(role: string, on: boolean): void {
    this.roles = on ? [...this.roles, role] : this.roles.filter((x) => x !== role);
  }

  private details(): TemplateResult | typeof nothing {
    switch (this.kind) {
      case "everyone":
        return nothing;
      case "roles":
        return html`<fieldset>
          <legend>${s("rolesLegend")}</legend>
          ${ROLES.map(
            (role) => html`<label class="check">
              <input
                type="checkbox"
                .checked=${this.roles.includes(role)}
                @change=${(e: Event) => this.toggleRole(role, (e.target as HTMLInputElement).checked)}
              />
              ${s(`role_${role}`)}
            </label>`,
          )}
        </fieldset>`;
      case "sessions":
        return html`<pick-list
          multiple
          .legend=${s("sessionsLegend")}
          .items=${this.sessions}
          .selected=${this.sessionIds}
          @picked=${(e: CustomEvent<string[]>) => (this.sessionIds = e.detail)}
        ></pick-list>`;
      case "exhibitors":
        return html`<pick-list
          multiple
          .legend=${s("exhibitorsLegend")}
          .items=${this.exhibitors}
          .selected=${this.exhibitorIds}
          @picked=${(e: CustomEvent<string[]>) => (this.exhibitorIds = e.detail)}
        ></pick-list>`;
    }
  }

  override render(): TemplateResult {
    const kinds: AudienceKind[] = ["everyone", "roles", "sessions", "exhibitors"];
    return html`<fieldset>
        <legend>${s("legend")}</legend>
        ${kinds.map(
          (kind) => html`<label class="check">
            <input
              type="radio"
              name="audience"
              value=${kind}
              .checked=${this.kind === kind}
              @change=${() => (this.kind = kind)}
            />
            ${s(kind)}
          </label>`,
        )}
      </fieldset>
      ${this.details()}`;
  }
}

customElements.define("audience-picker", AudiencePicker);
