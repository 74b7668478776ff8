/**
 * `npm run generate -w @subtext/sdk`: writes packages/sdk/openapi.json (committed, so building
 * the SDK needs no server) and src/schema.ts from the document the server builds in-process.
 */
import { writeFileSync } from "node:fs";
import {
  DOCUMENT_FILE,
  SCHEMA_FILE,
  buildOpenApiDocument,
  renderDocument,
  renderSchema,
} from "./generation.js";

const doc = await buildOpenApiDocument();
writeFileSync(DOCUMENT_FILE, renderDocument(doc));
writeFileSync(SCHEMA_FILE, await renderSchema(doc));
const routes = Object.values(doc.paths ?? {}).reduce<number>(
  (n, item) => n + Object.keys(item as object).length,
  0,
);
console.log(`wrote ${DOCUMENT_FILE} and ${SCHEMA_FILE} (${routes} operations)`);
