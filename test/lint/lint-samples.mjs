// Lints in-memory sample sources with the project's ESLint config through ESLint's API, in a plain Node process:
// ESLint loads eslint.config.mjs by dynamic import(), which jest's module sandbox refuses without
// --experimental-vm-modules. stdin: [{ filePath, code }]; stdout: [[ruleId or parse error, ...], ...].
// Type-aware parsing is switched off: the samples are not files of the TypeScript project.
import { ESLint } from 'eslint';

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const samples = JSON.parse(Buffer.concat(chunks).toString('utf8'));
const eslint = new ESLint({
  cwd: process.cwd(),
  overrideConfig: {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: false } },
    rules: { '@typescript-eslint/no-floating-promises': 'off' },
  },
});
const reports = [];
for (const { filePath, code } of samples) {
  const [result] = await eslint.lintText(code, { filePath });
  reports.push(result.messages.map((m) => m.ruleId ?? m.message));
}
process.stdout.write(JSON.stringify(reports));
