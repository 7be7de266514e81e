/**
 * `code` tasks: TypeScript functions registered by name in the worker. Built-in examples ship with the
 * platform; users add theirs without forking by pointing CODE_HANDLERS_MODULE at a module whose default
 * export is a record `{ name: handler }`.
 */
import { isAbsolute, resolve } from 'node:path';
import type { TaskExecution } from './types';

/** What a handler sees besides its input. */
export type CodeHandlerContext = Pick<TaskExecution, 'ctx' | 'logger' | 'signal' | 'heartbeat' | 'attempt'> & {
  /** `config.options` of the task definition. */
  options: unknown;
};

/** A code task handler; throw an ApplicationFailure with a `type` to make the failure catchable by name. */
export type CodeHandler = (input: unknown, context: CodeHandlerContext) => unknown;

/** Handlers by name; lookups never fall through to prototype properties. */
export class CodeHandlerRegistry {
  private readonly handlers = new Map<string, CodeHandler>();

  constructor(initial: Record<string, CodeHandler> = {}) {
    this.registerAll(initial);
  }

  /** Registers a handler; a second registration under the same name replaces the first (user overrides built-in). */
  register(name: string, handler: CodeHandler): this {
    if (typeof handler !== 'function') throw new TypeError(`code handler "${name}" is not a function`);
    this.handlers.set(name, handler);
    return this;
  }

  /** Registers every function of a record. */
  registerAll(record: Record<string, CodeHandler>): this {
    for (const [name, fn] of Object.entries(record)) this.register(name, fn);
    return this;
  }

  get(name: string): CodeHandler | undefined {
    return this.handlers.get(name);
  }

  names(): string[] {
    return [...this.handlers.keys()].sort();
  }
}

/** Loads a user module of handlers (path relative to the working directory, or a package name). */
export async function loadCodeHandlersModule(specifier: string): Promise<Record<string, CodeHandler>> {
  const path = specifier.startsWith('.') || isAbsolute(specifier) ? resolve(process.cwd(), specifier) : specifier;
  // require() rather than import(): the worker runs as CommonJS (tsx in dev, tsc output in production).
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require(path) as { default?: unknown };
  const record = (mod.default ?? mod) as Record<string, unknown>;
  if (!record || typeof record !== 'object')
    throw new Error(`CODE_HANDLERS_MODULE ${specifier}: default export must be a record of handlers`);
  for (const [name, fn] of Object.entries(record)) {
    if (typeof fn !== 'function') throw new Error(`CODE_HANDLERS_MODULE ${specifier}: "${name}" is not a function`);
  }
  return record as Record<string, CodeHandler>;
}
