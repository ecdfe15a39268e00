// The route's form and its answer: "from" and "to" pickers (with a one-tap start at
// the entrance nearest the destination, for a newcomer arriving from a link), swap,
// clear, and the walking minutes, or why there are none.
import { html, nothing, type TemplateResult } from "lit";
import { strings } from "../lib/i18n";
import "./place-picker";
import { nearestEntrance, placeLabel, type Plan } from "./plan";
import { shownMinutes, type RouteAnswer } from "./route";

const s = strings({
  fr: {
    route: "Itinéraire",
    from: "Départ",
    to: "Arrivée",
    fromEntrance: "Partir de l'entrée la plus proche : {name}",
    swap: "Inverser",
    clear: "Effacer",
    routing: "Calcul de l'itinéraire…",
    minutes: "{n} min à pied",
    metres: "{n} m",
    none: "Aucun chemin trouvé entre ces deux lieux.",
    offline: "Hors ligne : l'itinéraire a besoin du réseau. En ligne droite : {n} m.",
  },
  en: {
    route: "Route",
    from: "From",
    to: "To",
    fromEntrance: "Start from the nearest entrance: {name}",
    swap: "Swap",
    clear: "Clear",
    routing: "Finding the route…",
    minutes: "{n} min walk",
    metres: "{n} m",
    none: "No way found between these two places.",
    offline: "Offline: routes need the network. As the crow flies: {n} m.",
  },
});

/** A live region: a screen reader hears the minutes when the route arrives. */
export function routeStatus(answer: RouteAnswer | null, routing: boolean): TemplateResult {
  let text: TemplateResult | string = "";
  if (routing) text = s("routing");
  else if (answer?.kind === "walk") {
    text = html`<span class="minutes">${s("minutes", { n: shownMinutes(answer.walk) })}</span>
      · ${s("metres", { n: Math.round(answer.walk.distanceMeters) })}`;
  } else if (answer?.kind === "none") text = s("none");
  else if (answer?.kind === "offline") text = s("offline", { n: Math.round(answer.distanceMeters) });
  else if (answer?.kind === "error") text = answer.message;
  return html`<p class="route-status" role="status">${text}</p>`;
}

export function routeForm(
  plan: Plan,
  from: string | null,
  to: string | null,
  setEnds: (from: string | null, to: string | null) => void,
): TemplateResult {
  const destination = to ? plan.byId.get(to) : undefined;
  const entrance = destination && !from ? nearestEntrance(plan, destination) : null;
  return html`<section class="route-form" aria-labelledby="route-title">
    <h2 id="route-title" tabindex="-1">${s("route")}</h2>
    <map-place-picker class="from" label=${s("from")} .places=${plan.places} .value=${from}
      @pick=${(e: CustomEvent<string>) => setEnds(e.detail, to)}></map-place-picker>
    ${entrance
      ? html`<button class="entrance" @click=${() => setEnds(entrance.id, to)}>
          ${s("fromEntrance", { name: placeLabel(entrance) })}</button>`
      : nothing}
    <map-place-picker class="to" label=${s("to")} .places=${plan.places} .value=${to}
      @pick=${(e: CustomEvent<string>) => setEnds(from, e.detail)}></map-place-picker>
    <div class="actions">
      <button ?disabled=${!from && !to} @click=${() => setEnds(to, from)}>⇅ ${s("swap")}</button>
      <button ?disabled=${!from && !to} @click=${() => setEnds(null, null)}>${s("clear")}</button>
    </div>
  </section>`;
}
