// The text alternative of the map: every place, hall by hall, as a button that
// shows it on the plan and opens its sheet. For screen readers, and for anyone
// who would rather read a list than pinch a drawing.
import { html, nothing, type TemplateResult } from "lit";
import { strings } from "../lib/i18n";
import { poiBadge } from "./icons";
import { placeTitle } from "./place-panel";
import type { Place, Plan } from "./plan";

const s = strings({
  fr: { list: "Liste des lieux ({n})", outside: "Hors des halls" },
  en: { list: "List of places ({n})", outside: "Outside the halls" },
});

const ORDER: Record<Place["kind"], number> = { room: 0, poi: 1, booth: 2 };

function line(place: Place): TemplateResult {
  const more = place.kind === "booth" ? (place.exhibitor?.name ?? "") : "";
  return html`${place.kind === "poi" ? poiBadge(place.poiKind) : nothing} ${placeTitle(place)}${more ? ` · ${more}` : ""}`;
}

export function placesList(plan: Plan, show: (place: Place) => void): TemplateResult {
  const groups = [
    ...plan.halls.map((hall) => ({ id: hall.id, name: hall.name })),
    { id: null as string | null, name: s("outside") },
  ]
    .map((group) => ({
      ...group,
      places: plan.places
        .filter((p) => (p.hallId ?? null) === group.id)
        .sort((a, b) => ORDER[a.kind] - ORDER[b.kind] || placeTitle(a).localeCompare(placeTitle(b))),
    }))
    .filter((group) => group.places.length);
  return html`<details class="places">
    <summary>${s("list", { n: plan.places.length })}</summary>
    ${groups.map(
      (group) => html`<h3>${group.name}</h3>
        <ul>
          ${group.places.map(
            (place) => html`<li><button type="button" data-list-place=${place.id} @click=${() => show(place)}>${line(place)}</button></li>`,
          )}
        </ul>`,
    )}
  </details>`;
}
