// "When the page has nothing better to do": start-up work that can wait a moment
// (the socket, the floor map, the service worker's install) waits for an idle main
// thread, at most `timeout` ms. Safari has no requestIdleCallback: a short delay there.
export function whenIdle(timeout = 3000): Promise<void> {
  return new Promise((done) => {
    if ("requestIdleCallback" in window) requestIdleCallback(() => done(), { timeout });
    else setTimeout(done, 300);
  });
}
