/**
 * `aos`: definitions as code (docs/testing.md, "The aos command line").
 *
 *   aos validate <files|dirs...>               check definitions offline (and through the platform with --url)
 *   aos apply <files|dirs...> [--dry-run]      create or update them, idempotently, after printing the plan
 *   aos test <files|dirs...> | --tag T | --test-id ID [--junit out.xml]
 *
 * Exit codes: 0 success; 1 invalid definitions, conflicts, failed tests; 2 usage or connection errors.
 */
import { Command, CommanderError, Option } from 'commander';
import { applyPlan, ApplyError, computePlan, fetchStored, formatPlanItem } from './apply';
import { ApiError, Client, ConnectionError } from './client';
import { formatProblem, loadDocuments, type LoadedDocument } from './documents';
import { planDocument } from './plan';
import type { TestRunRequest } from '../common/contracts/testing';
import { runTests } from './test-run';
import { validateDocuments } from './validate';

/** Exit codes. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

/** A usage problem (exit 2). */
class UsageError extends Error {}

interface ConnectionFlags {
  url?: string;
  apiKey?: string;
}

const out = (line: string) => process.stdout.write(`${line}\n`);
const err = (line: string) => process.stderr.write(`${line}\n`);

function connect(flags: ConnectionFlags, required: boolean): Client | undefined {
  if (!flags.url) {
    if (required) throw new UsageError('a platform URL is required: --url or AOS_URL');
    return undefined;
  }
  return new Client({ url: flags.url, apiKey: flags.apiKey });
}

/** Loads the files and validates them; prints every problem; undefined when any. */
async function loadValid(paths: string[], client: Client | undefined): Promise<LoadedDocument[] | undefined> {
  const { documents, problems } = loadDocuments(paths);
  problems.push(...(await validateDocuments(documents, client)));
  for (const p of problems) err(formatProblem(p));
  return problems.length ? undefined : documents;
}

async function validateCommand(paths: string[], flags: ConnectionFlags): Promise<number> {
  const client = connect(flags, false);
  const documents = await loadValid(paths, client);
  if (!documents) return EXIT.failed;
  const where = client ? 'offline and by the platform' : 'offline (give --url to check task references too)';
  out(`${documents.length} definition(s) valid, checked ${where}`);
  return EXIT.ok;
}

async function applyCommand(paths: string[], flags: ConnectionFlags & { dryRun?: boolean }): Promise<number> {
  const client = connect(flags, true)!;
  const documents = await loadValid(paths, client);
  if (!documents) return EXIT.failed;
  const plan = await computePlan(client, documents);
  out('Plan:');
  for (const item of plan) out(`  ${formatPlanItem(item)}`);
  const count = (a: string) => plan.filter((i) => i.action === a).length;
  out(
    [
      `${count('create')} to create`,
      `${count('update')} to update`,
      `${count('unchanged')} unchanged`,
      `${count('conflict')} in conflict`,
    ].join(', '),
  );
  if (count('conflict') > 0) {
    err('Nothing applied: resolve the conflicts first.');
    return EXIT.failed;
  }
  if (flags.dryRun) {
    out('Dry run: nothing written.');
    return EXIT.ok;
  }
  let writes: number;
  try {
    writes = await applyPlan(client, plan, (line) => out(`  ${line}`));
  } catch (e) {
    if (!(e instanceof ApplyError)) throw e;
    // A refused write: its field errors located in the file (the API's pointers are under /body).
    err(`${e.item.doc.source}: ${e.cause.message}`);
    for (const f of e.cause.errors)
      err(formatProblem({ source: e.item.doc.source, ...f, pointer: f.pointer.replace(/^\/body/, '') }));
    err('Stopped: the writes before this one were applied.');
    return e.cause.status === 401 || e.cause.status === 403 ? EXIT.usage : EXIT.failed;
  }
  out(writes ? `Applied ${writes} change(s).` : 'Nothing to change.');
  return EXIT.ok;
}

interface TestFlags extends ConnectionFlags {
  tag?: string;
  testId?: string;
  junit?: string;
  concurrency?: string;
  interval: string;
  timeout: string;
}

async function testCommand(paths: string[], flags: TestFlags): Promise<number> {
  const selectors = [paths.length > 0, flags.tag !== undefined, flags.testId !== undefined].filter(Boolean).length;
  if (selectors !== 1) throw new UsageError('give exactly one of: files or directories, --tag, --test-id');
  const client = connect(flags, true)!;
  const concurrency = flags.concurrency === undefined ? {} : { concurrency: count(flags.concurrency) };
  let requests: TestRunRequest[];
  if (flags.tag !== undefined) requests = [{ tag: flags.tag, ...concurrency }];
  else if (flags.testId !== undefined) requests = [{ test_id: flags.testId, ...concurrency }];
  else {
    const ids = await appliedTestDefinitions(client, paths);
    if (!ids) return EXIT.failed;
    requests = ids.map((id) => ({ test_definition_id: id, ...concurrency }));
  }
  return runTests(client, requests, {
    intervalMs: seconds(flags.interval, '--interval') * 1000,
    timeoutMs: seconds(flags.timeout, '--timeout') * 1000,
    junit: flags.junit,
    log: out,
  });
}

/** Row ids of the test definitions in the files, each checked to be stored with the same content. */
async function appliedTestDefinitions(client: Client, paths: string[]): Promise<string[] | undefined> {
  const documents = await loadValid(paths, undefined);
  if (!documents) return undefined;
  const tests = documents.filter((d) => d.kind === 'test');
  if (tests.length === 0) throw new UsageError(`no test definition (test_id) in ${paths.join(', ')}`);
  const ids: string[] = [];
  let stale = false;
  for (const doc of tests) {
    const item = planDocument(doc, await fetchStored(client, doc));
    if (item.action === 'create' || item.action === 'conflict' || item.writeContent) {
      const why = item.action === 'create' ? 'is not stored' : `differs from the stored version (${item.reason})`;
      err(`${doc.source}: test ${doc.id}@${doc.version} ${why}: run aos apply first`);
      stale = true;
    } else ids.push(item.stored!.row.id as string);
  }
  return stale ? undefined : ids;
}

function count(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 16) throw new UsageError('--concurrency must be an integer from 1 to 16');
  return n;
}

function seconds(value: string, flag: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`${flag} must be a positive number of seconds`);
  return n;
}

/** The program (exported for tests). */
export function program(): Command {
  const url = () => new Option('--url <url>', 'platform URL, e.g. http://localhost:3000').env('AOS_URL');
  const key = () => new Option('--api-key <key>', 'API key (sent as X-API-Key)').env('AOS_API_KEY');
  const cmd = new Command('aos')
    .description('Definitions as code for the orchestrator: validate, apply and test JSON or YAML definitions')
    .exitOverride()
    .showHelpAfterError();
  cmd
    .command('validate')
    .description(
      'Validate definition files (offline; with --url also through the platform). Errors: file: /pointer message',
    )
    .argument('<paths...>', 'files or directories (*.json, *.yaml, *.yml)')
    .addOption(url())
    .addOption(key())
    .action(
      async (paths: string[], flags: ConnectionFlags) => void (process.exitCode = await validateCommand(paths, flags)),
    );
  cmd
    .command('apply')
    .description('Create or update task, event, workflow and test definitions and triggers; prints the plan first')
    .argument('<paths...>', 'files or directories')
    .option('--dry-run', 'print the plan only')
    .addOption(url())
    .addOption(key())
    .action(async (paths: string[], flags: ConnectionFlags & { dryRun?: boolean }) => {
      process.exitCode = await applyCommand(paths, flags);
    });
  cmd
    .command('test')
    .description('Run test definitions (from files, by tag or by test id), print each case, exit 1 on any failure')
    .argument('[paths...]', 'files or directories holding test definitions (already applied)')
    .option('--tag <tag>', 'every case with this tag')
    .option('--test-id <id>', 'a test definition by test_id (its current version)')
    .option('--junit <file>', 'write a JUnit XML report')
    .option('--concurrency <n>', "cases running at once across the run (1-16; default: the platform's)")
    .option('--interval <seconds>', 'polling interval', '1')
    .option('--timeout <seconds>', 'give up waiting after this long', '600')
    .addOption(url())
    .addOption(key())
    .action(async (paths: string[], flags: TestFlags) => void (process.exitCode = await testCommand(paths, flags)));
  return cmd;
}

/** Runs the CLI with `argv` (process.argv form); answers the exit code. */
export async function main(argv: string[]): Promise<number> {
  process.exitCode = 0;
  try {
    await program().parseAsync(argv);
    return Number(process.exitCode ?? 0);
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? EXIT.ok : EXIT.usage;
    if (e instanceof UsageError || e instanceof ConnectionError) {
      err(`aos: ${e.message}`);
      return EXIT.usage;
    }
    if (e instanceof ApiError) {
      err(`aos: ${e.message}`);
      for (const f of e.errors) err(`  ${f.pointer} ${f.message}`);
      return e.status === 401 || e.status === 403 ? EXIT.usage : EXIT.failed;
    }
    throw e;
  }
}

if (require.main === module) {
  main(process.argv).then(
    (code) => process.exit(code),
    (e: unknown) => {
      err(`aos: ${(e as Error).stack ?? String(e)}`);
      process.exit(EXIT.usage);
    },
  );
}
