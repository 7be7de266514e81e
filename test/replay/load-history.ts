/**
 * Loads a proto3-JSON history (as `temporal workflow show --output json` writes it) into a History message.
 * The SDK's historyFromJSON fails when npm installs separate protobufjs copies under @temporalio/common and
 * @temporalio/proto ("type must be a Type"), so this uses the protobufjs copy that @temporalio/proto itself uses.
 */
import { dirname } from 'node:path';
import * as proto from '@temporalio/proto';
import { patchProtobufRoot } from '@temporalio/proto/lib/patch-protobuf-root';

type FromJson = (type: unknown, json: unknown, options: { ignoreUnknownFields: boolean }) => unknown;

const protoDir = dirname(require.resolve('@temporalio/proto/package.json'));
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { fromJson } = require(require.resolve('protobufjs/ext/protojson', { paths: [protoDir] })) as {
  fromJson: FromJson;
};
const historyType = (patchProtobufRoot(proto) as unknown as { lookupType(name: string): unknown }).lookupType(
  'temporal.api.history.v1.History',
);

/** Parses a history JSON document (events with canonical enum names) into a History message. */
export function loadHistory(json: unknown): proto.temporal.api.history.v1.IHistory {
  const history = fromJson(historyType, json, { ignoreUnknownFields: true });
  if (!history) throw new TypeError('not a history document');
  return history as proto.temporal.api.history.v1.IHistory;
}
