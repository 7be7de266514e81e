/** Links from API responses to the Temporal Web UI. */
import type { Config } from '../../common/config';

/** URL of a run's event history in the Temporal Web UI. */
export function temporalUiLink(
  config: Pick<Config, 'temporalUiUrl' | 'temporalNamespace'>,
  workflowId: string,
  runId: string,
): string {
  const base = config.temporalUiUrl.replace(/\/+$/, '');
  return `${base}/namespaces/${encodeURIComponent(config.temporalNamespace)}/workflows/${encodeURIComponent(workflowId)}/${encodeURIComponent(runId)}/history`;
}
