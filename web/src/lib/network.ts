// Whether the phone has a network, for a component that says so or disables what needs
// it: `changed` is called at each "online" / "offline" event while the component is on
// the page, and no longer once it has left it.
import type { ReactiveControllerHost } from "lit";

export function watchNetwork(host: ReactiveControllerHost, changed: (online: boolean) => void): void {
  const onChange = (): void => changed(navigator.onLine);
  host.addController({
    hostConnected() {
      window.addEventListener("online", onChange);
      window.addEventListener("offline", onChange);
    },
    hostDisconnected() {
      window.removeEventListener("online", onChange);
      window.removeEventListener("offline", onChange);
    },
  });
}
