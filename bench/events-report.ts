/** Prints the bench:events table (markdown, ready for docs/benchmarks.md). */
import type { IngestCpu, IngestOn } from './events-ingest';
import type { Series } from './events-stats';

const ms = (v: number) => v.toFixed(1);

/** The table and the goal checks. */
export function printTable(
  params: { events: number; concurrency: number; resumes: number },
  ingest: { api: Series; acked: Series; bare: Series; on?: IngestOn; stored: number; wakeups: number; cpu: IngestCpu },
  drain: { seconds: number; delivered: number; total: number },
  resume: { event: Series; signal: Series; eventOn?: Series; signalOn?: Series },
): void {
  const ratio = ingest.api.perSecond / ingest.bare.perSecond;
  const resumeRatio = resume.event.p50 / resume.signal.p50;
  console.log(`\nevents: ${params.events}, concurrency: ${params.concurrency}, resumes per mode: ${params.resumes}\n`);
  console.log('| measurement | count | per s | p50 ms | p99 ms |');
  console.log('|---|---:|---:|---:|---:|');
  const rows = [
    ingest.bare,
    ingest.api,
    ingest.acked,
    ...(ingest.on ? [ingest.on.api, ingest.on.acked] : []),
    resume.signal,
    ...(resume.signalOn ? [resume.signalOn] : []),
    resume.event,
    ...(resume.eventOn ? [resume.eventOn] : []),
  ];
  for (const s of rows) {
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
  const { on } = ingest;
  if (on) {
    const { apiOn, loadGenOn } = ingest.cpu;
    const r = on.api.perSecond / ingest.api.perSecond;
    const per = (x: number) => (x / params.events).toFixed(2);
    console.log(
      `observability on: POST /events throughput ${(r * 100).toFixed(0)}% of off's (goal >= 95%): ${r >= 0.95 ? 'met' : 'NOT met'}` +
        ` (acknowledgements alone: ${((on.acked.perSecond / ingest.acked.perSecond) * 100).toFixed(0)}%);` +
        ` CPU per event ${us(apiOn.self - loadGenOn + apiOn.pg + apiOn.temporal)} µs (node ${us(apiOn.self - loadGenOn)}, PostgreSQL ${us(apiOn.pg)}, Temporal ${us(apiOn.temporal)});` +
        ` per event: ${per(on.rows.spans)} spans (${per(on.rows.spansWritten)} written), ${per(on.rows.logs)} log lines (${per(on.rows.logsWritten)} written), ${on.rows.dropped} dropped`,
    );
  }
  const expected = params.events * (on ? 2 : 1);
  console.log(
    `stored: ${ingest.stored}/${expected}; delivered: ${drain.delivered}/${drain.total} after ${drain.seconds.toFixed(1)} s more (lost: ${expected - Math.min(ingest.stored, drain.delivered)})`,
  );
  console.log(
    `event-to-resume p50: ${resumeRatio.toFixed(2)}x the direct signal (goal <= 2x): ${resumeRatio <= 2 ? 'met' : 'NOT met'}`,
  );
  if (resume.eventOn && resume.signalOn)
    console.log(
      `observability on: event-to-resume p50 ${ms(resume.eventOn.p50)} ms against ${ms(resume.event.p50)} off (${((resume.event.p50 / resume.eventOn.p50) * 100).toFixed(0)}% of off's rate),` +
        ` direct signal p50 ${ms(resume.signalOn.p50)} ms against ${ms(resume.signal.p50)} off`,
    );
}
