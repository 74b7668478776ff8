import { defaultClientConditions, defineConfig } from "vite";

// No React plugin: Vite's own transformer (oxc) compiles TSX with the automatic runtime; fast
// refresh is the only thing given up, and this keeps the dependency list to react + react-dom.
export default defineConfig({
  root: import.meta.dirname,
  // `@subtext/telecom` from its TypeScript sources (the condition in its exports), not its dist.
  resolve: { conditions: ["subtext-source", ...defaultClientConditions] },
  oxc: { jsx: { runtime: "automatic", importSource: "react" } },
  build: { outDir: "dist", emptyOutDir: true, target: "es2022", sourcemap: true },
  server: {
    // `npm run dev -w @subtext/web` beside `npm start`: the API answers on PORT (3000).
    proxy: { "/v1": "http://127.0.0.1:3000" },
  },
});
