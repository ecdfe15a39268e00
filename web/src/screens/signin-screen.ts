// Sign-in (badge code, or a code sent by e-mail) and, once signed in, the account:
// who I am, my roles' screens, sign out. `?next=/path` says where to go afterwards.
import { html, css, nothing, type TemplateResult } from "lit";
import { SalonElement } from "../app/salon-element";
import { base } from "../app/styles";
import { navigate } from "../app/router";
import { signInWithBadge, requestSignInCode, signInWithCode, signOut } from "../lib/account";
import { currentMe, signedIn, type MeRecord } from "../lib/me";
import { problem, s, type ErrorKey } from "./signin-strings";
import "../components/captured-by";

type Step = "email" | "code";

/** Only a path of this app, never another site (`//evil.example`). */
function safeNext(next: string | null): string {
  return next && next.startsWith("/") && !next.startsWith("//") ? next : "/schedule";
}

/** Roles in one order whatever the server's, so the account reads the same each time. */
const ROLE_ORDER = ["ATTENDEE", "SPEAKER", "EXHIBITOR", "ORGANISER"];

const ROLE_SCREENS: { role: string; path: string; key: "speaker" | "staff" | "console" }[] = [
  { role: "SPEAKER", path: "/speaker", key: "speaker" },
  { role: "EXHIBITOR", path: "/staff", key: "staff" },
  { role: "ORGANISER", path: "/console", key: "console" },
];

export class SigninScreen extends SalonElement {
  static override properties = {
    me: { state: true },
    step: { state: true },
    email: { state: true },
    busy: { state: true },
    badgeError: { state: true },
    emailError: { state: true },
    farewell: { state: true },
  };
  declare me: MeRecord | null;
  declare step: Step;
  declare email: string;
  declare busy: boolean;
  declare badgeError: ErrorKey | null;
  declare emailError: ErrorKey | null;
  declare farewell: { revoked: boolean } | null;
  protected override watches = ["me"];

  constructor() {
    super();
    this.me = null;
    this.step = "email";
    this.email = "";
    this.busy = false;
    this.badgeError = null;
    this.emailError = null;
    this.farewell = null;
  }

  static override styles = [
    base,
    css`
      section {
        margin: 1rem 0;
      }
      form {
        display: grid;
        gap: 0.4rem;
      }
      input {
        width: 100%;
      }
      .help {
        margin: 0;
        font-size: 0.9rem;
      }
      .row {
        display: flex;
        flex-wrap: wrap;
        gap: 0.5rem;
      }
      .or {
        text-align: center;
        margin: 1rem 0;
      }
      dl {
        display: grid;
        grid-template-columns: max-content 1fr;
        gap: 0.3rem 1rem;
      }
      dt {
        font-weight: 600;
      }
      dd {
        margin: 0;
        overflow-wrap: anywhere;
      }
      ul.spaces {
        list-style: none;
        padding: 0;
        display: grid;
        gap: 0.5rem;
      }
      ul.spaces a {
        width: 100%;
        box-sizing: border-box;
        justify-content: flex-start;
      }
    `,
  ];

  protected override async refresh(): Promise<void> {
    this.me = await currentMe();
  }

  private async run(work: () => Promise<void>): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      await work();
    } finally {
      this.busy = false;
    }
  }

  private done(): void {
    navigate(safeNext(this.getAttribute("q-next")));
  }

  private onBadge(event: SubmitEvent): void {
    event.preventDefault();
    const code = new FormData(event.target as HTMLFormElement).get("badge")?.toString() ?? "";
    void this.run(async () => {
      this.badgeError = null;
      try {
        await signInWithBadge(code);
        this.done();
      } catch (error) {
        this.badgeError = problem(error, { UNAUTHENTICATED: "badgeUnknown", BAD_USER_INPUT: "badgeEmpty" });
      }
    });
  }

  private onEmail(event: SubmitEvent): void {
    event.preventDefault();
    const email = new FormData(event.target as HTMLFormElement).get("email")?.toString() ?? this.email;
    void this.sendCode(email);
  }

  private sendCode(email: string): Promise<void> {
    return this.run(async () => {
      this.emailError = null;
      try {
        await requestSignInCode(email);
        this.email = email.trim();
        this.step = "code";
        await this.updateComplete;
        this.renderRoot.querySelector<HTMLInputElement>("#code")?.focus();
      } catch (error) {
        this.emailError = problem(error, { BAD_USER_INPUT: "emailInvalid" });
      }
    });
  }

  private onCode(event: SubmitEvent): void {
    event.preventDefault();
    const code = new FormData(event.target as HTMLFormElement).get("code")?.toString() ?? "";
    void this.run(async () => {
      this.emailError = null;
      try {
        await signInWithCode(this.email, code);
        this.done();
      } catch (error) {
        this.emailError = problem(error, { UNAUTHENTICATED: "codeWrong", BAD_USER_INPUT: "codeInvalid" });
      }
    });
  }

  private onSignOut(): void {
    void this.run(async () => {
      this.farewell = await signOut();
      this.me = null;
      this.step = "email";
    });
  }

  private error(key: ErrorKey | null, id: string): TemplateResult | typeof nothing {
    return key ? html`<p class="error" role="alert" id=${id}>${s(key)}</p>` : nothing;
  }

  private emailForm(): TemplateResult {
    if (this.step === "email") {
      return html`<form @submit=${this.onEmail} novalidate>
        <label for="email">${s("emailLabel")}</label>
        <p class="help muted" id="email-help">${s("emailHelp")}</p>
        <input
          id="email"
          name="email"
          type="email"
          inputmode="email"
          autocomplete="email"
          required
          .value=${this.email}
          aria-describedby="email-help"
          aria-invalid=${this.emailError ? "true" : "false"}
        />
        <div class="row"><button type="submit" ?disabled=${this.busy}>${s("sendCode")}</button></div>
        ${this.error(this.emailError, "email-error")}
      </form>`;
    }
    return html`<form @submit=${this.onCode} novalidate>
      <p role="status">${s("codeSent", { email: this.email })}</p>
      <label for="code">${s("codeLabel")}</label>
      <input
        id="code"
        name="code"
        inputmode="numeric"
        autocomplete="one-time-code"
        maxlength="6"
        required
        aria-invalid=${this.emailError ? "true" : "false"}
      />
      <div class="row">
        <button class="primary" type="submit" ?disabled=${this.busy}>${this.busy ? s("busy") : s("signIn")}</button>
        <button type="button" ?disabled=${this.busy} @click=${() => void this.sendCode(this.email)}>
          ${s("resend")}
        </button>
        <button type="button" @click=${() => ((this.step = "email"), (this.emailError = null))}>
          ${s("changeEmail")}
        </button>
      </div>
      ${this.error(this.emailError, "email-error")}
    </form>`;
  }

  private signInForms(): TemplateResult {
    return html`
      <h1>${s("title")}</h1>
      ${this.farewell
        ? html`<p role="status" data-testid="signed-out">
            ${s("signedOut")} ${this.farewell.revoked ? nothing : s("notRevoked")}
          </p>`
        : html`<p>${s("intro")}</p>`}
      <section aria-labelledby="badge-title">
        <h2 id="badge-title">${s("badgeTitle")}</h2>
        <form @submit=${this.onBadge} novalidate>
          <label for="badge">${s("badgeLabel")}</label>
          <p class="help muted" id="badge-help">${s("badgeHelp")}</p>
          <input
            id="badge"
            name="badge"
            autocomplete="off"
            autocapitalize="characters"
            spellcheck="false"
            required
            aria-describedby="badge-help"
            aria-invalid=${this.badgeError ? "true" : "false"}
          />
          <div class="row">
            <button class="primary" type="submit" ?disabled=${this.busy}>
              ${this.busy ? s("busy") : s("signIn")}
            </button>
          </div>
          ${this.error(this.badgeError, "badge-error")}
        </form>
      </section>
      <section aria-labelledby="email-title">
        <h2 id="email-title">${s("emailTitle")}</h2>
        ${this.emailForm()}
      </section>
    `;
  }

  private account(me: MeRecord): TemplateResult {
    const spaces = ROLE_SCREENS.filter((x) => me.roles.includes(x.role));
    const roleName = (role: string): string => s(`role_${role}` as ErrorKey) ?? role;
    return html`
      <h1>${s("accountTitle")}</h1>
      <dl data-testid="account">
        <dt>${s("name")}</dt>
        <dd>${me.name ?? s("unnamed")}</dd>
        <dt>${s("email")}</dt>
        <dd>${me.email ?? s("unnamed")}</dd>
        <dt>${s("roles")}</dt>
        <dd>${ROLE_ORDER.filter((role) => me.roles.includes(role)).map(roleName).join(", ")}</dd>
      </dl>
      <h2>${s("spaces")}</h2>
      <ul class="spaces">
        <li><a class="button" href="/schedule">${s("mySchedule")}</a></li>
        <li><a class="button" href="/notices">${s("myNotices")}</a></li>
        ${spaces.map(
          (x) => html`<li>
            <a class="button" href=${x.path}
              >${s(x.key)}${x.key === "staff" && me.exhibitor ? ` — ${me.exhibitor.name}` : ""}</a
            >
          </li>`,
        )}
      </ul>
      <captured-by></captured-by>
      <button ?disabled=${this.busy} @click=${this.onSignOut}>${s("signOut")}</button>
    `;
  }

  override render(): TemplateResult {
    if (this.me) return this.account(this.me);
    if (signedIn()) {
      return html`<h1>${s("accountTitle")}</h1>
        <p role="status">${s("loading")}</p>
        <button ?disabled=${this.busy} @click=${this.onSignOut}>${s("signOut")}</button>`;
    }
    return this.signInForms();
  }
}

customElements.define("signin-screen", SigninScreen);
