/**
 * The archive of data lifecycle (docs/data-lifecycle.md#archive): before maintenance drops a partition or deletes
 * a batch of rows, their rows are written to `<dir>/<table>.<label>.jsonl.gz`, one JSON object per line (each row
 * as PostgreSQL returned it: timestamps as ISO strings, jsonb as JSON). A file is written under a temporary name,
 * fsynced, renamed into place (never over an existing file) and its folder fsynced, so a file with its final name
 * is always complete; the caller drops or deletes only after `commit` resolved, so a failed write keeps the data.
 */
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { access, mkdir, open, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { createGzip } from 'node:zlib';

/** One archive file being written. */
export interface ArchiveFile {
  /** Appends rows (backpressure respected). */
  write(rows: readonly unknown[]): Promise<void>;
  /** Finishes, fsyncs and renames the file into place; answers its final path and row count. */
  commit(): Promise<{ path: string; rows: number }>;
  /** Removes the temporary file (after a failure). */
  abort(): Promise<void>;
}

/** Where archive files go. */
export interface Archive {
  /** Starts the file of `table`'s rows described by `label` (a partition's range, a batch's time span). */
  open(table: string, label: string): Promise<ArchiveFile>;
}

/** File-name safe: letters, digits, `.`, `-`, `_`. */
function safe(s: string): string {
  return s.replace(/[^A-Za-z0-9._-]+/g, '_');
}

async function fsyncPath(path: string): Promise<void> {
  const fh = await open(path, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/**
 * `path`, or `<name>-2.jsonl.gz`, `-3`, ... when it is taken: a file is never overwritten (one maintenance process
 * writes at a time, under its lock, so checking before the rename is enough).
 */
async function freeName(path: string): Promise<string> {
  for (let n = 1; ; n++) {
    const candidate = n === 1 ? path : path.replace(/\.jsonl\.gz$/, `-${n}.jsonl.gz`);
    try {
      await access(candidate);
    } catch {
      return candidate;
    }
  }
}

/** An archive writing gzip'd JSON-lines files into `dir` (created when missing). */
export function fileArchive(dir: string): Archive {
  let seq = 0;
  return {
    async open(table, label) {
      await mkdir(dir, { recursive: true });
      const name = `${safe(table)}.${safe(label)}.jsonl.gz`;
      const final = join(dir, name);
      const tmp = join(dir, `.${name}.${process.pid}.${++seq}.tmp`);
      const out = createWriteStream(tmp, { flags: 'wx' });
      const gzip = createGzip();
      gzip.pipe(out);
      let failure: Error | undefined;
      const fail = (err: Error): void => {
        failure ??= err;
      };
      out.on('error', fail);
      gzip.on('error', fail);
      await once(out, 'open'); // rejects when the file cannot be created
      let rows = 0;
      return {
        async write(batch) {
          if (failure) throw failure;
          for (const row of batch) {
            rows++;
            // A failing file stream stops draining the gzip: its close ends the wait too.
            if (!gzip.write(`${JSON.stringify(row)}\n`)) await Promise.race([once(gzip, 'drain'), once(out, 'close')]);
            if (failure) throw failure;
          }
        },
        async commit() {
          if (failure) throw failure;
          gzip.end();
          await once(out, 'close');
          if (failure) throw failure;
          await fsyncPath(tmp);
          const path = await freeName(final);
          await rename(tmp, path);
          await fsyncPath(dir);
          return { path, rows };
        },
        async abort() {
          gzip.destroy();
          out.destroy();
          await rm(tmp, { force: true });
        },
      };
    },
  };
}

/**
 * Writes through `write` into a new file of `archive` and commits it; the file is removed again when `write` or
 * the commit fails (the error is rethrown, so the caller keeps the data). With `skipEmpty`, a file that received
 * no row is not kept (undefined).
 */
export async function archiveTo(
  archive: Archive,
  table: string,
  label: string,
  write: (file: ArchiveFile) => Promise<number>,
  skipEmpty = false,
): Promise<{ path: string; rows: number } | undefined> {
  const file = await archive.open(table, label);
  try {
    const rows = await write(file);
    if (rows === 0 && skipEmpty) {
      await file.abort();
      return undefined;
    }
    return await file.commit();
  } catch (err) {
    await file.abort();
    throw err;
  }
}
