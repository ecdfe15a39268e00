// The app shell: header (offline state, language), the current screen, the
// bottom navigation, the live-notice banner and the "new version" prompt.
import { html, css, nothing, type TemplateResult } from "lit";
import { SalonElement } from "./salon-element";
import { base } from "./styles";
import { match, onRouteChange, type Match } from "./router";
import { routes } from "./routes";
import { token } from "../lib/auth";
import { lang, setLang, strings } from "../lib/i18n";
import "../components/offline-indicator";
import "../components/notice-banner";
import "../components/update-prompt";

const s = strings({
  fr: {
    agenda: "Programme",
    map: "Plan",
    exhibitors: "Exposants",
    schedule: "Mon programme",
    notices: "Avis",
    b2b: "Rendez-vous",
    account: "Compte",
    switchLang: "English",
    switchLangLabel: "Switch to English",
    notFound: "Cette page n'existe pas.",
    mainNav: "Navigation principale",
  },
  en: {
    agenda: "Agenda",
    map: "Map",
    exhibitors: "Exhibitors",
    schedule: "My schedule",
    notices: "Notices",
    b2b: "Meetings",
    account: "Account",
    switchLang: "Français",
    switchLangLabel: "Passer en français",
    notFound: "This page does not exist.",
    mainNav: "Main navigation",
  },
});

type NavKey = "agenda" | "map" | "exhibitors" | "schedule" | "notices" | "b2b";

const NAV: { path: string; key: NavKey }[] = [
  { path: "/", key: "agenda" },
  { path: "/map", key: "map" },
  { path: "/exhibitors", key: "exhibitors" },
  { path: "/schedule", key: "schedule" },
  { path: "/notices", key: "notices" },
];
/** B2B meetings are for signed-in people: their tab shows once a token is on the phone. */
const SIGNED_IN_NAV: { path: string; key: NavKey }[] = [...NAV, { path: "/b2b", key: "b2b" }];

/** The tab of a screen: /b2b/company/12 is in the B2B tab. */
function inTab(tab: string, path: string): boolean {
  return tab === "/" ? path === "/" : path === tab || path.startsWith(`${tab}/`);
}

export class SalonApp extends SalonElement {
  static override properties = { current: { state: true } };
  declare current: Match | null;
  protected override watches = ["me"];
  /** The current screen's element, made once per navigation (a re-render keeps its state). */
  private screenElement: HTMLElement | null = null;
  private stopRoutes: (() => void) | null = null;

  constructor() {
    super();
    this.current = null;
  }

  static override styles = [
    base,
    css`
      :host {
        display: flex;
        flex-direction: column;
        min-height: 100dvh;
      }
      header {
        position: sticky;
        top: 0;
        z-index: 5;
        display: flex;
        align-items: center;
        gap: 0.5rem;
        padding: 0.35rem 0.75rem;
        background: var(--brand);
        color: #fff;
      }
      header .title {
        font-weight: 700;
        flex: 1;
        color: #fff;
        text-decoration: none;
      }
      header a.account,
      header button {
        color: #fff;
        background: transparent;
        border-color: rgba(255, 255, 255, 0.6);
      }
      main {
        flex: 1;
        padding: 0.5rem 0.9rem 5.5rem;
        max-width: 48rem;
        width: 100%;
        margin: 0 auto;
        box-sizing: border-box;
      }
      nav {
        position: fixed;
        bottom: 0;
        left: 0;
        right: 0;
        z-index: 5;
        display: grid;
        grid-template-columns: repeat(5, 1fr);
        background: var(--surface);
        border-top: 1px solid var(--line);
        padding-bottom: env(safe-area-inset-bottom);
      }
      nav.six {
        grid-template-columns: repeat(6, 1fr);
      }
      nav.six a {
        font-size: 0.75rem;
      }
      nav a {
        display: flex;
        align-items: center;
        justify-content: center;
        min-height: 56px;
        font-size: 0.8rem;
        text-align: center;
        color: var(--ink);
        text-decoration: none;
      }
      nav a[aria-current="page"] {
        color: var(--brand);
        font-weight: 700;
        box-shadow: inset 0 3px 0 var(--brand);
      }
    `,
  ];

  override connectedCallback(): void {
    super.connectedCallback();
    this.stopRoutes = onRouteChange(() => void this.route());
    void this.route();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.stopRoutes?.();
  }

  private async route(): Promise<void> {
    const found = match(routes, new URL(location.href));
    if (found) await found.route.load();
    this.screenElement = found ? screenFor(found) : null;
    this.current = found;
    window.scrollTo(0, 0);
  }

  /** Signed in or out ("me" is announced either way): the tabs change. */
  protected override async refresh(): Promise<void> {
    this.requestUpdate();
  }

  private screen(): TemplateResult {
    return this.screenElement ? html`${this.screenElement}` : html`<p>${s("notFound")}</p>`;
  }

  override render(): TemplateResult {
    const path = location.pathname;
    const tabs = token() ? SIGNED_IN_NAV : NAV;
    return html`
      <header>
        <a class="title" href="/">SISTEP 2026</a>
        <offline-indicator></offline-indicator>
        <button
          lang=${lang() === "fr" ? "en" : "fr"}
          aria-label=${s("switchLangLabel")}
          @click=${() => setLang(lang() === "fr" ? "en" : "fr")}
        >
          ${s("switchLang")}
        </button>
        <a class="account button" href="/signin">${s("account")}</a>
      </header>
      <notice-banner></notice-banner>
      <update-prompt></update-prompt>
      <main id="main" tabindex="-1">${this.screen()}</main>
      <nav aria-label=${s("mainNav")} class=${tabs.length > 5 ? "six" : ""}>
        ${tabs.map(
          (item) =>
            html`<a href=${item.path} aria-current=${inTab(item.path, path) ? "page" : nothing}
              >${s(item.key)}</a
            >`,
        )}
      </nav>
    `;
  }
}

/** A screen gets its path parameters as attributes, and `?from=` as `q-from`. */
function screenFor(found: Match): HTMLElement {
  const element = document.createElement(found.route.tag);
  for (const [name, value] of Object.entries(found.params)) element.setAttribute(name, value);
  for (const [name, value] of found.query) element.setAttribute(`q-${name}`, value);
  return element;
}

customElements.define("salon-app", SalonApp);
