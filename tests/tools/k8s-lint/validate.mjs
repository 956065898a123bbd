// Validates Kubernetes manifests (YAML, several documents per file) against the
// Kubernetes API's OpenAPI schemas, as packaged by kubernetes-models: required
// fields, types, enums and formats of every object, found by apiVersion and kind.
//
//   node validate.mjs FILE...
//
// Prints one line per document ("ok FILE#N Kind/name" or the schema errors) and
// exits 1 when any document is invalid or of a kind the schemas do not know.
import { readFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";

async function modelFor(apiVersion, kind) {
  // "apps/v1" -> kubernetes-models/apps/v1, "v1" -> kubernetes-models/v1
  try {
    const group = await import(`kubernetes-models/${apiVersion}`);
    return group[kind] ?? null;
  } catch {
    return null;
  }
}

let failed = false;
for (const file of process.argv.slice(2)) {
  const documents = parseAllDocuments(readFileSync(file, "utf8"));
  let number = 0;
  for (const document of documents) {
    number++;
    const where = `${file}#${number}`;
    if (document.errors.length > 0) {
      console.log(`invalid ${where}: YAML: ${document.errors.map((e) => e.message).join("; ")}`);
      failed = true;
      continue;
    }
    const object = document.toJS();
    if (object === null) continue; // an empty document
    const Model = await modelFor(object.apiVersion, object.kind);
    if (!Model) {
      console.log(`invalid ${where}: unknown apiVersion/kind ${object.apiVersion}/${object.kind}`);
      failed = true;
      continue;
    }
    try {
      new Model(object).validate();
      console.log(`ok ${where} ${object.kind}/${object.metadata?.name}`);
    } catch (error) {
      console.log(`invalid ${where} ${object.kind}/${object.metadata?.name}: ${error.message}`);
      failed = true;
    }
  }
}
process.exit(failed ? 1 : 0);
