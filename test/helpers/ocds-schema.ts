import { readFileSync } from 'node:fs';
import path from 'node:path';
import ajvDraft04 from 'ajv-draft-04';
import ajvFormats from 'ajv-formats';

// The official OCDS 1.1.5 schema, vendored under test/fixtures because the tests run offline.
const SCHEMA_DIR = path.resolve(import.meta.dirname, '../fixtures/ocds-1.1.5');
const readSchema = (name: string) => JSON.parse(readFileSync(path.join(SCHEMA_DIR, name), 'utf8')) as { id: string };

// Both packages are CommonJS; under NodeNext their classes sit on `.default`.
const ajv = new ajvDraft04.default({ allErrors: true, allowUnionTypes: true });
ajvFormats.default(ajv);
// Annotations the OCDS tooling reads (codelists, merge rules, deprecations); they do not
// constrain the data, and naming them keeps ajv's strict mode on for everything else.
ajv.addVocabulary(['codelist', 'openCodelist', 'versionId', 'omitWhenMerged', 'wholeListMerge', 'deprecated']);
// The package schema $refs the release schema by its id URL; registering it resolves that offline.
const releaseSchema = readSchema('release-schema.json');
ajv.addSchema(releaseSchema, releaseSchema.id);
const validatePackage = ajv.compile(readSchema('release-package-schema.json'));

/** The schema errors of an OCDS release package, as readable lines; empty when it validates. */
export function schemaErrors(data: unknown): string[] {
  validatePackage(data);
  return (validatePackage.errors ?? []).map((e) => `${e.instancePath} ${e.message} ${JSON.stringify(e.params)}`);
}

