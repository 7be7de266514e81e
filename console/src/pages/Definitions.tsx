/**
 * Workflow definitions: the list (grouped by definition), and one definition's versions with activate /
 * deprecate, its JSON, and editing: validate, save a draft (If-Match), save as a new version (both from
 * lib/versioned.tsx).
 */
import { can, useMe } from '../lib/me';
import { Link } from '../lib/router';
import { PageHeader } from '../lib/ui';
import { VersionedDocument, VersionedList } from '../lib/versioned';

/** A workflow definition version as answered. */
interface DefinitionVersion {
  id: string;
  workflow_id: string;
  version: string;
  status: string;
  name?: string;
  description?: string | null;
  definition: Record<string, unknown>;
  created_at: string;
  updated_at: string;
  activated_at?: string | null;
  deprecated_at?: string | null;
}

export function DefinitionsPage() {
  return (
    <>
      <PageHeader title="Workflow definitions" />
      <VersionedList<DefinitionVersion>
        path="/workflow-definitions"
        pagePath="/definitions"
        label="Definitions"
        noun="Definition"
        idPrefix="defs"
        rowTestId="definition-row"
        idOf={(d) => d.workflow_id}
        columns={[{ title: 'Name', cell: (d) => d.name ?? '' }]}
        empty="No definitions."
      />
    </>
  );
}

export function DefinitionPage({ workflowId }: { workflowId: string }) {
  const me = useMe();
  return (
    <>
      <PageHeader title={<span className="mono">{workflowId}</span>} />
      <VersionedDocument<DefinitionVersion>
        base={`/workflow-definitions/${encodeURIComponent(workflowId)}`}
        validatePath="/workflow-definitions/validate"
        pagePath={`/definitions/${encodeURIComponent(workflowId)}`}
        noun="definition"
        editor={{ label: 'Definition JSON', id: 'definition-json', rows: 24 }}
        writer={can(me, 'workflow_definitions:write')}
        toDocument={(d) => d.definition}
        dateColumn={{ title: 'Activated', value: (d) => d.activated_at }}
        rowActions={() => (
          <Link className="btn small" to={`/runs?definition=${encodeURIComponent(workflowId)}`}>
            Runs
          </Link>
        )}
        note="Active versions are immutable: change the version number in the JSON and save it as a new version."
      />
    </>
  );
}
