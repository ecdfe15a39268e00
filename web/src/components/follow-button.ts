// "Suivre" an exhibitor, used by the directory and the exhibitor's page. Properties
// in (who, whether followed, whether signed in); the parent re-reads `me` when it
// changes. Anonymous people are sent to sign in; offline it is disabled, with why.
import { html, css, nothing } from "lit";
import { SalonElement } from "../app/salon-element";
import { base } from "../app/styles";
import { setFollow } from "../lib/follow";
import { strings } from "../lib/i18n";
import { watchNetwork } from "../lib/network";
import { act, sentToSignIn } from "./action";

const s = strings({
  fr: {
    follow: "Suivre",
    unfollow: "Ne plus suivre",
    followName: "Suivre {name}",
    unfollowName: "Ne plus suivre {name}",
    offline: "Hors ligne : suivre un exposant demande le réseau.",
  },
  en: {
    follow: "Follow",
    unfollow: "Unfollow",
    followName: "Follow {name}",
    unfollowName: "Unfollow {name}",
    offline: "Offline: following an exhibitor needs the network.",
  },
});

export class FollowButton extends SalonElement {
  static override properties = {
    exhibitorId: { attribute: "exhibitor-id" },
    name: {},
    following: { type: Boolean },
    signedIn: { type: Boolean, attribute: "signed-in" },
    /** In a long list the screen says "offline" once, not under every button. */
    terse: { type: Boolean },
    online: { state: true },
    busy: { state: true },
    problem: { state: true },
  };
  declare exhibitorId: string;
  declare name: string;
  declare following: boolean;
  declare signedIn: boolean;
  declare terse: boolean;
  declare online: boolean;
  declare busy: boolean;
  declare problem: string;

  constructor() {
    super();
    this.exhibitorId = "";
    this.name = "";
    this.following = false;
    this.signedIn = false;
    this.terse = false;
    this.online = navigator.onLine;
    watchNetwork(this, (online) => (this.online = online));
    this.busy = false;
    this.problem = "";
  }

  static override styles = [
    base,
    css`
      :host {
        display: inline-block;
      }
      button {
        white-space: nowrap;
      }
      p {
        margin: 0.25rem 0 0;
        font-size: 0.9rem;
      }
    `,
  ];

  private async toggle(): Promise<void> {
    if (sentToSignIn(this.signedIn)) return;
    await act(this, () => setFollow(this.exhibitorId, !this.following));
  }

  override render() {
    const offline = this.signedIn && !this.online;
    const label = this.name
      ? s(this.following ? "unfollowName" : "followName", { name: this.name })
      : s(this.following ? "unfollow" : "follow");
    const why = offline && !this.terse ? s("offline") : this.problem;
    return html`<button
        class=${this.following ? "" : "primary"}
        aria-label=${label}
        aria-describedby=${why ? "why" : nothing}
        ?disabled=${offline || this.busy}
        @click=${() => void this.toggle()}
        data-testid="follow"
      >
        ${this.following ? s("unfollow") : s("follow")}
      </button>
      ${why ? html`<p id="why" class=${this.problem ? "error" : "muted"} role="status">${why}</p>` : nothing}`;
  }
}

customElements.define("follow-button", FollowButton);
