import { fileURLToPath } from "node:url";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

/**
 * The web UI's build: `npm run build:ui` writes `ui/dist`, which `weir serve` serves
 * (assets under /assets, index.html for every other non-API path). `vite --config
 * ui/vite.config.ts` serves it in development with /api proxied to a running `weir serve`.
 */
const uiRoot = fileURLToPath(new URL(".", import.meta.url));

export default defineConfig({
  root: uiRoot,
  base: "/",
  plugins: [react()],
  build: {
    outDir: fileURLToPath(new URL("./dist", import.meta.url)),
    emptyOutDir: true,
    // The layout engine (elkjs) is one large file loaded only by the pages that draw graphs.
    chunkSizeWarningLimit: 1600,
  },
  server: {
    proxy: { "/api": { target: process.env.WEIR_SERVE_URL ?? "http://127.0.0.1:8080" } },
  },
});
