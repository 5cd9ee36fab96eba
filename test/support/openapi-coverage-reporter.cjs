// A jest reporter: after the whole run, every (method, route, status, code) that a test server
// answered (test/support/openapi-recorder.ts) must be in the committed openapi.json. It fails
// the run through getLastError, which jest turns into a non-zero exit.
const { existsSync, readdirSync, readFileSync } = require('node:fs');
const { join } = require('node:path');

// Routes deliberately outside the document (the docs page itself).
// The docs page itself, and the web console's static files (SPEC §11): pages, not API operations.
const UNDOCUMENTED = [
  /^\/api\/docs(-json)?(\/|$)/,
  /^\/$/,
  /^\/(pages\/)?[\w.-]+\.(js|css|svg|ico|png|html)$/,
];

function readAnswers(dir) {
  if (!dir || !existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => name.endsWith('.jsonl'))
    .flatMap((name) => readFileSync(join(dir, name), 'utf8').split('\n').filter(Boolean))
    .map((line) => JSON.parse(line));
}

function missing(document, [method, route, status, code]) {
  if (UNDOCUMENTED.some((pattern) => pattern.test(route))) return null;
  const label = `${method} ${route} → ${status}${code ? ` ${code}` : ''}`;
  const operation = document.paths[route]?.[method.toLowerCase()];
  if (!operation) return `${label}: no such operation`;
  const response = operation.responses[String(status)];
  if (status < 400) return response ? null : `${label}: status not documented`;
  if (!code) return `${label}: not a problem+json answer with a code`;
  if ((document['x-edge-error-codes'] ?? []).includes(code)) return null;
  if (!response) return `${label}: status not documented`;
  return (response['x-error-codes'] ?? []).includes(code) ? null : `${label}: code not documented`;
}

/** Every (method, route, status, code) the document promises, to report how many were exercised. */
function documentedAnswers(document) {
  const all = new Set();
  for (const [route, item] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(item)) {
      for (const [status, response] of Object.entries(operation.responses)) {
        const codes = Number(status) < 400 ? [null] : (response['x-error-codes'] ?? []);
        for (const code of codes) {
          all.add(JSON.stringify([method.toUpperCase(), route, Number(status), code]));
        }
      }
    }
  }
  return all;
}

class OpenApiCoverageReporter {
  constructor(globalConfig) {
    this.rootDir = globalConfig.rootDir;
    this.error = undefined;
  }

  onRunComplete(_contexts, results) {
    const answers = readAnswers(process.env.KEYHOLD_OPENAPI_RECORD_DIR);
    const ranEndToEnd = results.testResults.some((file) =>
      file.testFilePath.endsWith('.e2e-spec.ts'),
    );
    if (ranEndToEnd && answers.length === 0) {
      this.error = new Error('OpenAPI coverage: the test servers recorded no answer at all');
    } else {
      const document = JSON.parse(readFileSync(join(this.rootDir, 'openapi.json'), 'utf8'));
      this.document = document;
      const gaps = [...new Set(answers.map((answer) => missing(document, answer)).filter(Boolean))];
      if (gaps.length > 0) {
        this.error = new Error(
          `OpenAPI coverage: ${gaps.length} answer(s) given in the tests are missing from ` +
            `openapi.json (declare the code with @ApiErrors on the handler, then npm run openapi):\n` +
            gaps
              .sort()
              .map((gap) => `  - ${gap}`)
              .join('\n'),
        );
      }
    }
    if (this.error) {
      process.stderr.write(`\n${this.error.message}\n`);
    } else if (answers.length > 0) {
      const documented = documentedAnswers(this.document);
      const exercised = new Set(answers.map((answer) => JSON.stringify(answer)));
      const hit = [...documented].filter((answer) => exercised.has(answer)).length;
      process.stderr.write(
        `\nOpenAPI coverage: ${exercised.size} distinct answers recorded, all documented; ` +
          `${hit} of the ${documented.size} documented (operation, status, code) were exercised.\n`,
      );
    }
  }

  getLastError() {
    return this.error;
  }
}

module.exports = OpenApiCoverageReporter;
