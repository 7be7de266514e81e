/**
 * Reads the JSON examples out of the Markdown docs so tests can keep them true.
 *
 * Every ```json block is collected. A block may be marked by an HTML comment on the line right above its
 * fence, `<!-- doc-test: <kind> <name> [key=value ...] -->`, which the tests act on:
 *
 * | kind | the block is |
 * |---|---|
 * | `definition` | the workflow definition of worked example `<name>` (the one that is run) |
 * | `child` | another workflow definition the example needs (created and activated, not run) |
 * | `task` | a task definition the example needs |
 * | `event-definition` | an event definition the example needs (`POST /event-definitions`) |
 * | `ui-component` | a UI component (form) the example needs (`POST /ui-components`) |
 * | `input` | the run's input |
 * | `output` | what the run returns (status `completed`) |
 * | `error` | the run's `error` (status `failed`) |
 * | `variables` | the run's `$vars` at its end (the instance's `variables`); optional |
 * | `event` | an event published (`POST /events`) once the run waits |
 * | `request` | the body of API call `<name>` |
 * | `answer` | what API call `<name>` answers (`example=<worked example>` for a run's answer) |
 *
 * In `output`, `error` and `variables` blocks, `"<uuid>"`, `"<timestamp>"` and `"<string>"` stand for any such value.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

/** The repository root. */
export const ROOT = join(__dirname, '..', '..');

/** A fenced ```json block of a doc. */
export interface DocBlock {
  /** Path from the repository root. */
  file: string;
  /** 1-based line of the opening fence. */
  line: number;
  text: string;
  mark?: DocMark;
}

/** The `<!-- doc-test: ... -->` comment above a block. */
export interface DocMark {
  kind: string;
  name: string;
  attrs: Record<string, string>;
}

/** One worked example: a definition with everything it needs, its input and its documented result. */
export interface WorkedExample {
  name: string;
  where: string;
  definition?: Record<string, unknown>;
  children: Array<Record<string, unknown>>;
  tasks: Array<Record<string, unknown>>;
  eventDefinitions: Array<Record<string, unknown>>;
  uiComponents: Array<Record<string, unknown>>;
  events: Array<Record<string, unknown>>;
  input?: unknown;
  output?: { value: unknown };
  error?: Record<string, unknown>;
  variables?: Record<string, unknown>;
}

const MARK = /^<!--\s*doc-test:\s*([a-z-]+)\s+([^\s]+)((?:\s+[a-z_]+=[^\s]+)*)\s*-->\s*$/;
const FENCE = /^```(\w*)\s*$/;

/** The kinds a mark may name. */
export const MARK_KINDS = [
  'definition',
  'child',
  'task',
  'event-definition',
  'ui-component',
  'input',
  'output',
  'error',
  'variables',
  'event',
  'request',
  'answer',
] as const;

/** The Markdown files whose examples are checked: README.md and every file in docs/. */
export function docFiles(): string[] {
  const docs = readdirSync(join(ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => join(ROOT, 'docs', f));
  return [join(ROOT, 'README.md'), ...docs];
}

function parseMark(line: string | undefined): DocMark | undefined {
  const m = line === undefined ? null : MARK.exec(line.trim());
  if (!m) return undefined;
  const attrs: Record<string, string> = {};
  for (const pair of m[3].trim().split(/\s+/).filter(Boolean)) {
    const [k, v] = pair.split('=');
    attrs[k] = v;
  }
  return { kind: m[1], name: m[2], attrs };
}

/** Every ```json block of `file`, with its mark if any; also reports marks that are not above a json block. */
export function jsonBlocks(file: string): { blocks: DocBlock[]; strayMarks: number[] } {
  const lines = readFileSync(file, 'utf8').split('\n');
  const rel = relative(ROOT, file);
  const blocks: DocBlock[] = [];
  const used = new Set<number>();
  for (let i = 0; i < lines.length; i++) {
    const open = FENCE.exec(lines[i]);
    if (!open) continue;
    let end = i + 1;
    while (end < lines.length && !/^```\s*$/.test(lines[end])) end++;
    if (open[1] === 'json') {
      const mark = parseMark(lines[i - 1]);
      if (mark) used.add(i - 1);
      blocks.push({ file: rel, line: i + 1, text: lines.slice(i + 1, end).join('\n'), ...(mark && { mark }) });
    }
    i = end;
  }
  const strayMarks = lines.flatMap((l, i) => (l.includes('doc-test:') && !used.has(i) ? [i + 1] : []));
  return { blocks, strayMarks };
}

/** All json blocks of all doc files. */
export function allBlocks(): DocBlock[] {
  return docFiles().flatMap((f) => jsonBlocks(f).blocks);
}

/** `file:line` of a block, for failure messages. */
export const at = (b: DocBlock): string => `${b.file}:${b.line}`;

/** Groups the marked blocks into worked examples by name (request/answer marks are not examples). */
export function workedExamples(blocks: DocBlock[] = allBlocks()): WorkedExample[] {
  const byName = new Map<string, WorkedExample>();
  for (const b of blocks) {
    if (!b.mark || b.mark.kind === 'request' || b.mark.kind === 'answer') continue;
    const { kind, name } = b.mark;
    let ex = byName.get(name);
    if (!ex) {
      ex = { name, where: at(b), children: [], tasks: [], eventDefinitions: [], uiComponents: [], events: [] };
      byName.set(name, ex);
    }
    const value = JSON.parse(b.text) as unknown;
    const obj = value as Record<string, unknown>;
    if (kind === 'definition') {
      ex.definition = obj;
      ex.where = at(b);
    } else if (kind === 'child') ex.children.push(obj);
    else if (kind === 'task') ex.tasks.push(obj);
    else if (kind === 'event-definition') ex.eventDefinitions.push(obj);
    else if (kind === 'ui-component') ex.uiComponents.push(obj);
    else if (kind === 'event') ex.events.push(obj);
    else if (kind === 'input') ex.input = value;
    else if (kind === 'output') ex.output = { value };
    else if (kind === 'error') ex.error = obj;
    else if (kind === 'variables') ex.variables = obj;
  }
  return [...byName.values()];
}

/** Blocks marked `request` or `answer`, by kind and name. */
export function apiBlocks(blocks: DocBlock[] = allBlocks()): { requests: Map<string, DocBlock>; answers: DocBlock[] } {
  const requests = new Map<string, DocBlock>();
  const answers: DocBlock[] = [];
  for (const b of blocks) {
    if (b.mark?.kind === 'request') requests.set(b.mark.name, b);
    if (b.mark?.kind === 'answer') answers.push(b);
  }
  return { requests, answers };
}

const PLACEHOLDERS: Record<string, RegExp> = {
  '<uuid>': /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
  '<timestamp>': /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}/,
  '<string>': /^/,
};

/** Differences between a documented value (with placeholders) and the real one; empty when they agree. */
export function valueDiff(doc: unknown, real: unknown, path = ''): string[] {
  if (typeof doc === 'string' && PLACEHOLDERS[doc]) {
    return typeof real === 'string' && PLACEHOLDERS[doc].test(real)
      ? []
      : [`${path || '/'}: expected ${doc}, got ${JSON.stringify(real)}`];
  }
  if (Array.isArray(doc)) {
    if (!Array.isArray(real) || real.length !== doc.length)
      return [`${path || '/'}: expected ${JSON.stringify(doc)}, got ${JSON.stringify(real)}`];
    return doc.flatMap((d, i) => valueDiff(d, real[i], `${path}/${i}`));
  }
  if (doc !== null && typeof doc === 'object') {
    if (real === null || typeof real !== 'object' || Array.isArray(real))
      return [`${path || '/'}: expected an object, got ${JSON.stringify(real)}`];
    const keys = new Set([...Object.keys(doc), ...Object.keys(real)]);
    return [...keys].flatMap((k) =>
      valueDiff((doc as Record<string, unknown>)[k], (real as Record<string, unknown>)[k], `${path}/${k}`),
    );
  }
  return doc === real ? [] : [`${path || '/'}: expected ${JSON.stringify(doc)}, got ${JSON.stringify(real)}`];
}

const kindOf = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);

/**
 * Differences in shape between a documented answer and a real one: the same keys at every level and the
 * same JSON types (null only where the real answer has null); values are not compared. Arrays compare
 * their first items.
 */
export function shapeDiff(doc: unknown, real: unknown, path = ''): string[] {
  if (kindOf(doc) !== kindOf(real))
    return [`${path || '/'}: documented ${kindOf(doc)}, answered ${kindOf(real)} (${JSON.stringify(real)})`];
  if (Array.isArray(doc))
    return doc.length > 0 && (real as unknown[]).length > 0
      ? shapeDiff(doc[0], (real as unknown[])[0], `${path}/0`)
      : [];
  if (doc !== null && typeof doc === 'object') {
    const d = doc as Record<string, unknown>;
    const r = real as Record<string, unknown>;
    const out: string[] = [];
    for (const k of Object.keys(r)) if (!(k in d)) out.push(`${path}/${k}: answered but not documented`);
    for (const k of Object.keys(d))
      out.push(...(k in r ? shapeDiff(d[k], r[k], `${path}/${k}`) : [`${path}/${k}: documented but not answered`]));
    return out;
  }
  return [];
}
