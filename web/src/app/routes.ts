// Every screen of the app: its path and the module that defines its element.
import type { Route } from "./router";
// The landing screen is part of the first download (no second round trip before the
// agenda shows); every other screen is a chunk of its own, loaded on first visit.
import "../screens/agenda-screen";

export const routes: Route[] = [
  { pattern: "/", tag: "agenda-screen", load: () => Promise.resolve() },
  { pattern: "/session/:id", tag: "session-screen", load: () => import("../screens/session-screen") },
  { pattern: "/map", tag: "map-screen", load: () => import("../screens/map-screen") },
  { pattern: "/exhibitors", tag: "exhibitors-screen", load: () => import("../screens/exhibitors-screen") },
  { pattern: "/exhibitor/:id", tag: "exhibitor-screen", load: () => import("../screens/exhibitor-screen") },
  { pattern: "/schedule", tag: "schedule-screen", load: () => import("../screens/schedule-screen") },
  { pattern: "/notices", tag: "notices-screen", load: () => import("../screens/notices-screen") },
  { pattern: "/signin", tag: "signin-screen", load: () => import("../screens/signin-screen") },
  { pattern: "/speaker", tag: "speaker-screen", load: () => import("../screens/speaker-screen") },
  { pattern: "/staff", tag: "staff-screen", load: () => import("../screens/staff-screen") },
  { pattern: "/console", tag: "console-screen", load: () => import("../screens/console-screen") },
  { pattern: "/b2b", tag: "meetings-screen", load: () => import("../screens/meetings-screen") },
  { pattern: "/b2b/companies", tag: "b2b-companies-screen", load: () => import("../screens/b2b-companies-screen") },
  { pattern: "/b2b/company/:id", tag: "b2b-company-screen", load: () => import("../screens/b2b-company-screen") },
  { pattern: "/b2b/profile", tag: "b2b-profile-screen", load: () => import("../screens/b2b-profile-screen") },
];
