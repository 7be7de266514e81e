import { defaultPayloadConverter } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { encodedSize } from './payload-size';

describe('encodedSize', () => {
  it.each([
    ['a small object', [{ a: 1, b: 'x' }]],
    ['a 3 MB string', ['x'.repeat(3 * 1024 * 1024)]],
    ['unicode', [{ name: 'Grüße 🌍', list: [1, 2, 3] }]],
    ['null and undefined', [null, undefined]],
    ['several arguments', [{ task: 'a' }, 'two', 3]],
  ])('equals the protobuf size of the Payloads message for %s', (_what, values) => {
    const payloads = values.map((v) => defaultPayloadConverter.toPayload(v));
    const exact = temporal.api.common.v1.Payloads.encode({ payloads }).finish().length;
    expect(encodedSize(defaultPayloadConverter, values)).toBe(exact);
  });
});
