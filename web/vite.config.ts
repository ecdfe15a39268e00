// Builds the attendee app into dist/, which the Starlette app serves at `/`.
// Our own service worker (src/sw.ts, Workbox modules) gets the precache manifest
// injected: issue-level features such as push live in it.
import { defineConfig } from "vite";
import { VitePWA } from "vite-plugin-pwa";

export default defineConfig({
  build: {
    outDir: "dist",
    assetsDir: "assets",
    target: "es2022",
    // One small app: keep modules together so a phone makes few requests.
    modulePreload: { polyfill: false },
    rollupOptions: {
      input: { app: "index.html", embed: "src/embed/salon-agenda.ts" },
      output: {
        // The embeddable agenda keeps a stable name for other sites' <script> tags.
        entryFileNames: (chunk) =>
          chunk.name === "embed" ? "embed/salon-agenda.js" : "assets/[name]-[hash].js",
      },
    },
  },
  // The agenda sync worker (src/lib/sync-worker.ts) is started with { type: "module" }.
  worker: { format: "es" },
  plugins: [
    VitePWA({
      strategies: "injectManifest",
      srcDir: "src",
      filename: "sw.ts",
      injectRegister: false,
      registerType: "prompt",
      manifestFilename: "manifest.webmanifest",
      includeAssets: ["icons/*.png", "icons/*.svg"],
      injectManifest: {
        globPatterns: ["**/*.{js,css,html,svg,png,webmanifest}"],
        globIgnores: ["embed/**"],
      },
      manifest: {
        id: "/",
        name: "SISTEP INDUSTRIEL 2026 — Salon",
        short_name: "SISTEP 2026",
        description:
          "Programme, plan, exposants et avis en direct du 13e Salon International de la Sous-traitance et du Partenariat Industriel, Casablanca.",
        lang: "fr",
        dir: "ltr",
        start_url: "/",
        scope: "/",
        display: "standalone",
        orientation: "portrait",
        background_color: "#ffffff",
        theme_color: "#0b3d91",
        categories: ["business", "events"],
        icons: [
          { src: "/icons/icon-192.png", sizes: "192x192", type: "image/png", purpose: "any" },
          { src: "/icons/icon-512.png", sizes: "512x512", type: "image/png", purpose: "any" },
          {
            src: "/icons/icon-maskable-512.png",
            sizes: "512x512",
            type: "image/png",
            purpose: "maskable",
          },
        ],
      },
    }),
  ],
});
