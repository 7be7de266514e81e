/**
 * CPU used by the benchmarked stack alone: this process, the Temporal dev server it started, and the
 * PostgreSQL backends serving its database. Unlike wall time or machine-wide load, this is not moved by
 * other work on a shared machine (other test suites, other benchmarks), so it compares rows fairly.
 * Linux only (/proc); elsewhere it reports this process alone.
 */
import { readFileSync } from 'node:fs';
import type { Knex } from 'knex';

/** Cumulative CPU ms per source (`self`, `temporal`, `pg:<pid>`). */
export type CpuSnapshot = Map<string, number>;

/** Reads the stack's cumulative CPU; `used(before, after)` is the CPU spent in between. */
export interface CpuMeter {
  snapshot(): Promise<CpuSnapshot>;
}

const TICK_MS = 10; // USER_HZ is 100 on Linux

/** utime + stime of a process in ms, or undefined when it is gone (or there is no /proc). */
function processCpuMs(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may contain spaces): state is the first, utime the 12th, stime the 13th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
  } catch {
    return undefined;
  }
}

/** A meter over this process, the Temporal server's pid (when the bench started it) and `db`'s backends. */
export function createCpuMeter(opts: { temporalPid?: number; db?: Knex }): CpuMeter {
  return {
    async snapshot() {
      const snap: CpuSnapshot = new Map();
      const self = process.cpuUsage();
      snap.set('self', (self.user + self.system) / 1000);
      const temporal = opts.temporalPid === undefined ? undefined : processCpuMs(opts.temporalPid);
      if (temporal !== undefined) snap.set('temporal', temporal);
      if (opts.db) {
        const { rows } = await opts.db.raw<{ rows: Array<{ pid: number }> }>(
          'SELECT pid FROM pg_stat_activity WHERE datname = current_database()',
        );
        for (const { pid } of rows) {
          const ms = processCpuMs(pid);
          if (ms !== undefined) snap.set(`pg:${pid}`, ms);
        }
      }
      return snap;
    },
  };
}

/** CPU ms spent between two snapshots, per part of the stack. */
export interface CpuUse {
  self: number;
  temporal: number;
  pg: number;
}

/** CPU spent between two snapshots (a backend that appeared in between counts from zero). */
export function cpuUsed(before: CpuSnapshot, after: CpuSnapshot): CpuUse {
  const use: CpuUse = { self: 0, temporal: 0, pg: 0 };
  for (const [key, ms] of after) {
    const part = key.startsWith('pg:') ? 'pg' : (key as 'self' | 'temporal');
    use[part] += ms - (before.get(key) ?? 0);
  }
  return use;
}

/** Adds two measurements. */
export function addCpu(a: CpuUse, b: CpuUse): CpuUse {
  return { self: a.self + b.self, temporal: a.temporal + b.temporal, pg: a.pg + b.pg };
}
