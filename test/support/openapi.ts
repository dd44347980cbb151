import { execFile } from 'node:child_process';
import { REPO_ROOT } from './processes';

interface ValidationResult {
  valid: boolean;
  errors?: unknown;
}

const VALIDATE = `
import { Validator } from '@seriousme/openapi-schema-validator';
let input = '';
for await (const chunk of process.stdin) input += chunk;
process.stdout.write(JSON.stringify(await new Validator().validate(JSON.parse(input))));
`;

/**
 * Validates an OpenAPI document against the official schemas with
 * @seriousme/openapi-schema-validator, in a Node process of its own: the
 * package is ESM-only, which Jest's module loader (CommonJS here) cannot load.
 */
export function validateOpenApi(document: unknown): Promise<ValidationResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(process.execPath, ['--input-type=module', '-e', VALIDATE], { cwd: REPO_ROOT }, (error, stdout) => {
      if (error) reject(new Error(`the OpenAPI validator failed: ${error.message}`));
      else resolve(JSON.parse(stdout) as ValidationResult);
    });
    child.stdin?.end(JSON.stringify(document));
  });
}
