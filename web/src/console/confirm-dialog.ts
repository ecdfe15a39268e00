// A modal question before an action that cannot be taken back (cancel a session,
// an URGENT announcement to everyone): a native <dialog>, so focus is trapped, Escape
// answers "no" and the page behind is inert, with no script of ours for any of it.
import { html, css, LitElement, type TemplateResult } from "lit";
import { base } from "../app/styles";
import { strings } from "../lib/i18n";

const s = strings({ fr: { back: "Ne rien faire" }, en: { back: "Do nothing" } });

export class ConfirmDialog extends LitElement {
  static override properties = { heading: { state: true }, message: { state: true }, action: { state: true } };
  declare heading: string;
  declare message: string;
  declare action: string;
  private answer: ((yes: boolean) => void) | null = null;

  constructor() {
    super();
    this.heading = "";
    this.message = "";
    this.action = "";
  }

  static override styles = [
    base,
    css`
      dialog {
        border: 0;
        border-radius: 0.9rem;
        padding: 1rem 1.1rem;
        max-width: min(26rem, calc(100vw - 2rem));
        box-shadow: 0 0.6rem 2rem rgba(0, 0, 0, 0.35);
      }
      dialog::backdrop {
        background: rgba(10, 20, 40, 0.55);
      }
      .actions {
        display: flex;
        gap: 0.5rem;
        flex-wrap: wrap;
        justify-content: flex-end;
        margin-top: 1rem;
      }
      button.danger {
        background: #8a1710;
        border-color: #8a1710;
        color: #fff;
      }
    `,
  ];

  /** Ask; true when the person chose the action, false for "do nothing" or Escape. */
  async ask(heading: string, message: string, action: string): Promise<boolean> {
    this.heading = heading;
    this.message = message;
    this.action = action;
    await this.updateComplete;
    const dialog = this.renderRoot.querySelector("dialog") as HTMLDialogElement;
    dialog.returnValue = "";
    dialog.showModal();
    return new Promise((resolve) => (this.answer = resolve));
  }

  private closed(event: Event): void {
    this.answer?.((event.target as HTMLDialogElement).returnValue === "yes");
    this.answer = null;
  }

  override render(): TemplateResult {
    // method="dialog": the button pressed closes the dialog and becomes its returnValue.
    return html`<dialog aria-labelledby="confirm-heading" aria-describedby="confirm-message" @close=${this.closed}>
      <form method="dialog">
        <h2 id="confirm-heading">${this.heading}</h2>
        <p id="confirm-message">${this.message}</p>
        <div class="actions">
          <button value="no" autofocus>${s("back")}</button>
          <button value="yes" class="danger">${this.action}</button>
        </div>
      </form>
    </dialog>`;
  }
}

customElements.define("confirm-dialog", ConfirmDialog);
