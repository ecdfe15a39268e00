// Client-side routes with real paths (the server answers index.html for each, the
// service worker too when offline), so a link can be shared or bookmarked.

export interface Route {
  /** "/session/:id" */
  pattern: string;
  /** The custom element that shows it; it gets the path's parameters as attributes. */
  tag: string;
  /** Loaded on first visit, so the first screen downloads only what it needs. */
  load: () => Promise<unknown>;
}

export interface Match {
  route: Route;
  params: Record<string, string>;
  query: URLSearchParams;
}

const CHANGED = "salon-route";

export function match(routes: Route[], url: URL): Match | null {
  const parts = url.pathname.split("/").filter(Boolean);
  for (const route of routes) {
    const wanted = route.pattern.split("/").filter(Boolean);
    if (wanted.length !== parts.length) continue;
    const params: Record<string, string> = {};
    const fits = wanted.every((piece, i) => {
      if (piece.startsWith(":")) {
        params[piece.slice(1)] = decodeURIComponent(parts[i]);
        return true;
      }
      return piece === parts[i];
    });
    if (fits) return { route, params, query: url.searchParams };
  }
  return null;
}

export function navigate(path: string, replace = false): void {
  if (replace) history.replaceState(null, "", path);
  else history.pushState(null, "", path);
  window.dispatchEvent(new Event(CHANGED));
}

export function onRouteChange(listener: () => void): () => void {
  window.addEventListener(CHANGED, listener);
  window.addEventListener("popstate", listener);
  return () => {
    window.removeEventListener(CHANGED, listener);
    window.removeEventListener("popstate", listener);
  };
}

/** Same-origin links inside the app navigate without a page load. */
export function interceptLinks(root: Document): void {
  root.addEventListener("click", (event) => {
    if (event.defaultPrevented || event.button !== 0) return;
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    const anchor = event
      .composedPath()
      .find((node): node is HTMLAnchorElement => node instanceof HTMLAnchorElement);
    if (!anchor || anchor.target || anchor.hasAttribute("download")) return;
    const url = new URL(anchor.href, location.href);
    if (url.origin !== location.origin || url.pathname.startsWith("/graphql")) return;
    if (url.pathname.startsWith("/calendar/") || url.pathname.endsWith(".geojson")) return;
    event.preventDefault();
    navigate(url.pathname + url.search + url.hash);
  });
}
