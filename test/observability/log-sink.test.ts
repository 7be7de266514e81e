/** Log lines -> observability_logs rows: ids mapped to columns, the rest to attributes, redaction kept, levels. */
import { createLogger } from '../../common/logger';
import type { Knex } from 'knex';
import { createLogSink, logLineToRow } from '../../services/observability/log-sink';

function capture(level: string) {
  const lines: string[] = [];
  return { lines, sink: { level, stream: { write: (l: string) => void lines.push(l) } } };
}

describe('log sink', () => {
  it('maps the platform ids to columns and keeps the rest as attributes', () => {
    const row = logLineToRow(
      JSON.stringify({
        level: 50,
        time: Date.parse('2026-01-02T03:04:05.678Z'),
        pid: 1,
        hostname: 'h',
        name: 'aos-worker',
        msg: 'task failed',
        requestId: 'req-1',
        workflowId: 'wf-1',
        runId: 'temporal-run',
        instanceId: '3f1c3e0e-8a55-4a57-9d0b-3b2d8b1f0c11',
        stepId: 'charge',
        traceId: 'a'.repeat(32),
        spanId: 'b'.repeat(16),
        attempt: 2,
        err: { message: 'boom' },
      }),
    );
    expect(row).toEqual({
      timestamp: '2026-01-02T03:04:05.678Z',
      level: 'error',
      message: 'task failed',
      service: 'aos-worker',
      request_id: 'req-1',
      temporal_workflow_id: 'wf-1',
      workflow_instance_id: '3f1c3e0e-8a55-4a57-9d0b-3b2d8b1f0c11',
      step_id: 'charge',
      trace_id: 'a'.repeat(32),
      span_id: 'b'.repeat(16),
      attributes: { runId: 'temporal-run', attempt: 2, err: { message: 'boom' } },
    });
  });

  it('keeps a non-uuid instance id as an attribute and ignores lines that are not JSON', () => {
    const row = logLineToRow(JSON.stringify({ level: 30, msg: 'x', instanceId: 'not-a-uuid' }));
    expect(row?.workflow_instance_id).toBeNull();
    expect(row?.attributes).toEqual({ instanceId: 'not-a-uuid' });
    expect(logLineToRow('garbage')).toBeUndefined();
  });

  it('a sink gets redacted lines at its own level, independent of the stdout level', () => {
    const { lines, sink } = capture('debug');
    const logger = createLogger({ level: 'silent', sinks: [sink] });
    logger.trace('too low');
    logger.debug({ user: { password: 'hunter2' } }, 'login');
    logger.child({ requestId: 'r1' }).warn('slow');
    const rows = lines.map((l) => logLineToRow(l)!);
    expect(rows.map((r) => [r.level, r.message])).toEqual([
      ['debug', 'login'],
      ['warn', 'slow'],
    ]);
    expect(rows[0].attributes).toEqual({ user: { password: '[redacted]' } });
    expect(rows[1].request_id).toBe('r1');
  });

  it('a sink above the stdout level sees only its levels', () => {
    const { lines, sink } = capture('warn');
    const logger = createLogger({ level: 'silent', sinks: [sink] });
    logger.info('no');
    logger.error('yes');
    expect(lines.map((l) => logLineToRow(l)!.message)).toEqual(['yes']);
  });

  it('flush() writes what is queued at once, without waiting for the interval', async () => {
    const written: Array<{ message: string }> = [];
    // insertLogs sends the batch as one JSON parameter of db.raw.
    const db = {
      raw: async (_sql: string, [json]: [string]) => void written.push(...(JSON.parse(json) as typeof written)),
    } as unknown as Knex;
    const sink = createLogSink({ level: 'info', intervalMs: 60_000 });
    sink.start(db);
    const logger = createLogger({ level: 'silent', sinks: [sink.destination] });
    logger.info('one');
    logger.info('two');
    expect(written).toEqual([]);
    await sink.flush();
    expect(written.map((r) => r.message)).toEqual(['one', 'two']);
    expect(sink.stats()).toMatchObject({ offered: 2, written: 2, queued: 0 });
    await sink.close();
  });
});
