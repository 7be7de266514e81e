/**
 * Definition files for `aos validate | apply | test`: JSON or YAML (several YAML documents per file allowed),
 * each document's kind told by its business id field. `$schema` (for editors) and `status` (what apply should
 * leave the version as) are file directives: they are taken off the body the API receives.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { parseAllDocuments } from 'yaml';

/** The kinds of definition the CLI applies, in dependency order (each may reference the ones before). */
export const DOCUMENT_KINDS = ['task', 'event', 'workflow', 'trigger', 'test'] as const;

/** A definition kind. */
export type DocumentKind = (typeof DOCUMENT_KINDS)[number];

/** One problem of a file: printed as `source: /pointer message`. */
export interface Problem {
  source: string;
  pointer: string;
  message: string;
}

/** A definition document read from a file. */
export interface LoadedDocument {
  /** `file`, or `file#n` for the n-th (1-based) document of a multi-document YAML file. */
  source: string;
  kind: DocumentKind;
  /** Business id: task_id, event_id, workflow_id, triggerId or test_id. */
  id: string;
  /** Version (absent for triggers, which are not versioned). */
  version?: string;
  /** The document as the API receives it (directives removed). */
  body: Record<string, unknown>;
  /** `status` the file asks for (`active` = activate after writing). */
  status?: string;
}

const EXTENSIONS = new Set(['.json', '.yaml', '.yml']);
const ID_FIELDS: Record<DocumentKind, string> = {
  task: 'task_id',
  event: 'event_id',
  workflow: 'workflow_id',
  trigger: 'triggerId',
  test: 'test_id',
};

/** The id field of a kind (for messages and pointers). */
export function idFieldOf(kind: DocumentKind): string {
  return ID_FIELDS[kind];
}

/** Every definition file under `paths` (directories walked recursively, sorted), or a problem per bad path. */
export function expandPaths(paths: string[]): { files: string[]; problems: Problem[] } {
  const files: string[] = [];
  const problems: Problem[] = [];
  const walk = (path: string, explicit: boolean): void => {
    let isDir: boolean;
    try {
      isDir = statSync(path).isDirectory();
    } catch {
      problems.push({ source: path, pointer: '', message: 'no such file or directory' });
      return;
    }
    if (isDir) {
      const names = readdirSync(path).filter((n) => !n.startsWith('.') && n !== 'node_modules');
      for (const name of names.sort()) walk(join(path, name), false);
    } else if (explicit || EXTENSIONS.has(extname(path).toLowerCase())) {
      files.push(path);
    }
  };
  for (const p of paths) walk(p, true);
  return { files: [...new Set(files)], problems };
}

/** The kind of a parsed document, by its id fields; undefined when it is none of the known kinds. */
export function detectKind(doc: Record<string, unknown>): DocumentKind | undefined {
  if ('workflow_id' in doc) return 'workflow';
  if ('task_id' in doc) return 'task';
  if ('event_id' in doc) return 'event';
  if ('test_id' in doc) return 'test';
  if ('triggerId' in doc || ('workflowDefinitionId' in doc && 'eventPattern' in doc)) return 'trigger';
  return undefined;
}

/** Parses one file's text into its documents (JSON: one; YAML: one per `---` section). */
export function parseText(file: string, text: string): { values: unknown[]; problems: Problem[] } {
  if (extname(file).toLowerCase() === '.json') {
    try {
      return { values: [JSON.parse(text)], problems: [] };
    } catch (err) {
      return {
        values: [],
        problems: [{ source: file, pointer: '', message: `not valid JSON: ${(err as Error).message}` }],
      };
    }
  }
  const docs = parseAllDocuments(text);
  const list = Array.isArray(docs) ? docs : [docs];
  const problems: Problem[] = [];
  const values: unknown[] = [];
  list.forEach((d, i) => {
    const source = list.length > 1 ? `${file}#${i + 1}` : file;
    for (const e of d.errors) {
      const at = e.linePos?.[0];
      problems.push({
        source,
        pointer: '',
        message: `not valid YAML${at ? ` (line ${at.line}, column ${at.col})` : ''}: ${firstLine(e.message)}`,
      });
    }
    if (d.errors.length === 0) values.push(d.toJS());
  });
  return { values, problems };
}

/** The first line of a YAML error without its own `at line L, column C:` (printed before it). */
function firstLine(message: string): string {
  return message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
}

/** Turns parsed values into documents: kind, id and version found, directives taken off the body. */
export function toDocuments(file: string, values: unknown[]): { documents: LoadedDocument[]; problems: Problem[] } {
  const documents: LoadedDocument[] = [];
  const problems: Problem[] = [];
  values.forEach((value, i) => {
    const source = values.length > 1 ? `${file}#${i + 1}` : file;
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      problems.push({ source, pointer: '', message: 'must be an object (one definition document)' });
      return;
    }
    const doc = value as Record<string, unknown>;
    const kind = detectKind(doc);
    if (!kind) {
      const message = 'unknown kind: expected workflow_id, task_id, event_id, test_id or triggerId';
      problems.push({ source, pointer: '', message });
      return;
    }
    const { $schema: _schema, status, ...body } = doc;
    const id = body[ID_FIELDS[kind]];
    if (typeof id !== 'string' || id === '') {
      const why = kind === 'trigger' ? 'a triggerId (apply finds the trigger again by it)' : 'a string';
      problems.push({ source, pointer: `/${ID_FIELDS[kind]}`, message: `must be ${why}` });
      return;
    }
    if (status !== undefined && !['draft', 'active', 'deprecated'].includes(status as string)) {
      problems.push({ source, pointer: '/status', message: 'must be draft, active or deprecated' });
      return;
    }
    // Event and test definitions store their status as a field; the others move it through /activate.
    if (status !== undefined && kind === 'trigger') {
      problems.push({ source, pointer: '/status', message: 'a trigger has no status (use enabled)' });
      return;
    }
    const version = kind === 'trigger' ? undefined : body.version;
    if (kind !== 'trigger' && (typeof version !== 'string' || version === '')) {
      problems.push({ source, pointer: '/version', message: 'must be a string' });
      return;
    }
    documents.push({
      source,
      kind,
      id,
      version: version as string | undefined,
      body,
      status: status as string | undefined,
    });
  });
  return { documents, problems };
}

/** Reads every definition under `paths`; problems (unreadable, unparsable, unknown kind) are listed, not thrown. */
export function loadDocuments(paths: string[]): { documents: LoadedDocument[]; problems: Problem[] } {
  const { files, problems } = expandPaths(paths);
  const documents: LoadedDocument[] = [];
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      problems.push({ source: file, pointer: '', message: `cannot read: ${(err as Error).message}` });
      continue;
    }
    const parsed = parseText(file, text);
    problems.push(...parsed.problems);
    const found = toDocuments(file, parsed.values);
    documents.push(...found.documents);
    problems.push(...found.problems);
  }
  problems.push(...duplicates(documents));
  return { documents, problems };
}

/** The same kind, id and version defined twice. */
function duplicates(documents: LoadedDocument[]): Problem[] {
  const seen = new Map<string, string>();
  const out: Problem[] = [];
  for (const d of documents) {
    const key = `${d.kind}:${d.id}@${d.version ?? ''}`;
    const first = seen.get(key);
    if (first) out.push({ source: d.source, pointer: `/${ID_FIELDS[d.kind]}`, message: `also defined in ${first}` });
    else seen.set(key, d.source);
  }
  return out;
}

/** `source: /pointer message` (the pointer left out when the problem is the whole file). */
export function formatProblem(p: Problem): string {
  return `${p.source}: ${p.pointer ? `${p.pointer} ` : ''}${p.message}`;
}
