/**
 * Expected DDI JSON shapes, written from the response/request examples of the Eclipse
 * hawkBit DDI API reference (https://eclipse.dev/hawkbit/rest-api/ddi/, OpenAPI
 * "Hawkbit DDI API" v1; model classes DdiControllerBase, DdiDeploymentBase, DdiDeployment,
 * DdiChunk, DdiArtifact, DdiCancel, DdiActionHistory in eclipse-hawkbit/hawkbit
 * hawkbit-ddi-api). Keys, nesting and enumerated values follow the reference; hashes,
 * ids and hosts are placeholders. Tests compare the key structure and value types, and
 * the enumerated values where the spec fixes them.
 */

/** GET /{tenant}/controller/v1/{controllerId} */
export const CONTROLLER_BASE_EXAMPLE = {
  config: { polling: { sleep: '12:00:00' } },
  _links: {
    deploymentBase: {
      href: 'https://management-api.host.com/TENANT_ID/controller/v1/CONTROLLER_ID/deploymentBase/8?c=-2122565939',
    },
    configData: {
      href: 'https://management-api.host.com/TENANT_ID/controller/v1/CONTROLLER_ID/configData',
    },
  },
};

/** GET …/deploymentBase/{actionId} (http-only server: the -http links). */
export const DEPLOYMENT_BASE_EXAMPLE = {
  id: '8',
  deployment: {
    download: 'forced',
    update: 'forced',
    chunks: [
      {
        part: 'os',
        version: '1.0.75',
        name: 'one',
        artifacts: [
          {
            filename: 'binary.tgz',
            hashes: {
              sha1: '0dc2f3b0e2f06e3e56fe8f6d4ad6b0e89a0ba1d3',
              md5: 'c44f2aa2a2fd46b4a4d17e7c4cf2a0e8',
              sha256: 'ac6d5c3a6d2a3d0b2a7ca7a8b2ed9c0e1c77b6f0db4cd0c63f1f1c9bb3e2f1a0',
            },
            size: 3,
            _links: {
              'download-http': {
                href: 'http://download.host.com/TENANT_ID/controller/v1/CONTROLLER_ID/softwaremodules/23/artifacts/binary.tgz',
              },
              'md5sum-http': {
                href: 'http://download.host.com/TENANT_ID/controller/v1/CONTROLLER_ID/softwaremodules/23/artifacts/binary.tgz.MD5SUM',
              },
            },
          },
        ],
      },
    ],
  },
  actionHistory: { status: 'RUNNING', messages: ['Reboot', 'Write firmware'] },
};

/** GET …/cancelAction/{actionId} */
export const CANCEL_ACTION_EXAMPLE = { id: '11', cancelAction: { stopId: '11' } };

/** POST …/deploymentBase/{actionId}/feedback, current body. */
export const FEEDBACK_EXAMPLE = {
  timestamp: 1627997501890,
  status: {
    execution: 'closed',
    result: { finished: 'success', progress: { cnt: 2, of: 5 } },
    code: 200,
    details: ['Some feedback'],
  },
};

/** The legacy body SWUpdate 2022.12 sends (server_hawkbit.c json_hawkbit_deployment_feedback). */
export const LEGACY_FEEDBACK_EXAMPLE = {
  id: '8',
  time: '20240101T120000',
  status: {
    result: { finished: 'success', progress: { cnt: 1, of: 1 } },
    execution: 'closed',
    details: ['All Chunks Installed.'],
  },
};

/** PUT …/configData */
export const CONFIG_DATA_EXAMPLE = {
  mode: 'merge',
  data: { VIN: 'JH4TB2H26CC000000', hwRevision: '2' },
};

/**
 * The structure of a JSON value: objects → sorted key → structure, arrays → structure of
 * their first element, scalars → their type. Used to compare our bodies with the examples.
 */
export function shape(v: unknown): unknown {
  if (Array.isArray(v)) return [v.length === 0 ? 'empty' : shape(v[0])];
  if (v !== null && typeof v === 'object') {
    return Object.fromEntries(
      Object.keys(v)
        .sort()
        .map((k) => [k, shape((v as Record<string, unknown>)[k])]),
    );
  }
  return typeof v;
}
