// The base of every screen and component: re-renders when the language changes or
// when the part of the offline copy it reads changes.
import { LitElement } from "lit";
import { onData } from "../lib/db";
import { onLangChange } from "../lib/i18n";

export class SalonElement extends LitElement {
  /** Which parts of the offline copy this element shows ("agenda", "me", …). */
  protected watches: string[] = [];
  private unlisten: (() => void)[] = [];

  override connectedCallback(): void {
    super.connectedCallback();
    this.unlisten.push(onLangChange(() => this.requestUpdate()));
    this.unlisten.push(
      onData((part) => {
        if (this.watches.includes(part)) void this.refresh(part);
      }),
    );
    void this.refresh();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.unlisten.forEach((stop) => stop());
    this.unlisten = [];
  }

  /**
   * Read what the element shows (from IndexedDB or the network); called on connect
   * (no part) and with the part of the offline copy that changed.
   */
  protected async refresh(_part?: string): Promise<void> {}
}
