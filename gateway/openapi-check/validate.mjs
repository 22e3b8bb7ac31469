// node validate.mjs FILE: exits 1 with the validator's errors if FILE is not a valid OpenAPI
// document; also refuses an operation without a unique operationId, or a path template left
// unexpanded.
import { readFileSync } from "node:fs";
import { Validator } from "@seriousme/openapi-schema-validator";

const file = process.argv[2];
const doc = JSON.parse(readFileSync(file, "utf8"));
const validator = new Validator();
const result = await validator.validate(doc);
const problems = result.valid ? [] : [JSON.stringify(result.errors, null, 1)];
const ids = new Set();
for (const [path, item] of Object.entries(doc.paths ?? {})) {
  if (/[=*]/.test(path)) problems.push(`path ${path} still has a template pattern`);
  for (const [verb, op] of Object.entries(item)) {
    if (!op.operationId) problems.push(`${verb} ${path} has no operationId`);
    if (ids.has(op.operationId)) problems.push(`operationId ${op.operationId} is not unique`);
    ids.add(op.operationId);
  }
}
if (problems.length > 0) {
  console.error(problems.join("\n"));
  process.exit(1);
}
console.log(`valid OpenAPI ${doc.openapi}: ${Object.keys(doc.paths).length} paths (validator ${validator.version})`);
