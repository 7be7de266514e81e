/** Prints the bench:events table (markdown, ready for docs/benchmarks.md). */
import type { IngestCpu } from './events-ingest';
import type { Series } from './events-stats';

const ms = (v: number) => v.toFixed(1);

/** The table and the goal checks. */
export function printTable(
  params: { events: number; concurrency: number; resumes: number },
  ingest: { api: Series; acked: Series; bare: Series; stored: number; wakeups: number; cpu: IngestCpu },
  drain: { seconds: number; delivered: number; total: number },
  resume: { event: Series; signal: Series },
): void {
  const ratio = ingest.api.perSecond / ingest.bare.perSecond;
  const resumeRatio = resume.event.p50 / resume.signal.p50;
  console.log(`\nevents: ${params.events}, concurrency: ${params.concurrency}, resumes per mode: ${params.resumes}\n`);
  console.log('| measurement | count | per s | p50 ms | p99 ms |');
  console.log('|---|---:|---:|---:|---:|');
  for (const s of [ingest.bare, ingest.api, ingest.acked, resume.signal, resume.event]) {
    console.log(`| ${s.name} | ${s.count} | ${s.perSecond.toFixed(0)} | ${ms(s.p50)} | ${ms(s.p99)} |`);
  }
  console.log('');
  console.log(
    `ingest throughput: ${(ratio * 100).toFixed(0)}% of bare insert (goal >= 50%): ${ratio >= 0.5 ? 'met' : 'NOT met'}` +
      ` (acknowledgements alone: ${((ingest.acked.perSecond / ingest.bare.perSecond) * 100).toFixed(0)}%)`,
  );
  console.log(`Temporal calls of ingest: ${ingest.wakeups} dispatcher wake-ups for ${params.events} events`);
  const us = (ms: number) => ((ms * 1000) / params.events).toFixed(0);
  const { bare, api, loadGen } = ingest.cpu;
  console.log(
    `CPU per event (bench process, its Temporal server, its database's backends): bare INSERT ${us(bare.self + bare.pg + bare.temporal)} µs` +
      ` (node ${us(bare.self)}, PostgreSQL ${us(bare.pg)}, Temporal ${us(bare.temporal)}); POST /events ${us(api.self - loadGen + api.pg + api.temporal)} µs` +
      ` (node ${us(api.self - loadGen)}, PostgreSQL ${us(api.pg)}, Temporal ${us(api.temporal)}) plus the load generator's ${us(loadGen)} µs`,
  );
  console.log(
    `stored: ${ingest.stored}/${params.events}; delivered: ${drain.delivered}/${drain.total} after ${drain.seconds.toFixed(1)} s more (lost: ${params.events - Math.min(ingest.stored, drain.delivered)})`,
  );
  console.log(
    `event-to-resume p50: ${resumeRatio.toFixed(2)}x the direct signal (goal <= 2x): ${resumeRatio <= 2 ? 'met' : 'NOT met'}`,
  );
}
