/**
 * The controllerBase answer of a DDI poll, written straight to a JSON string: a
 * prepared constant for a device with nothing to do (the common case), otherwise the
 * same fields in the same order as hawkBit's DdiControllerBase, hrefs JSON-escaped
 * (the Host header is the client's text).
 */
import type { Action } from '../actions/model.js';
import type { Device } from '../devices/devices.js';
import { resourceHash } from './representation.js';

export const JSON_TYPE = 'application/json; charset=utf-8';

/**
 * The device's DDI base URL: `publicUrl`, else `{protocol}://{Host header}`, then
 * `/{tenant as in the path}/controller/v1/{controllerId}`. Shared by the Fastify route
 * and the raw fast path so both write the same hrefs.
 */
export function ddiBaseUrl(
  publicUrl: string | undefined,
  encrypted: boolean,
  host: string | undefined,
  tenant: string,
  controllerId: string,
): string {
  return `${publicUrl ?? `${encrypted ? 'https' : 'http'}://${host ?? 'localhost'}`}/${tenant}/controller/v1/${encodeURIComponent(controllerId)}`;
}

export interface ControllerBaseWriter {
  /**
   * The answer for a device and its open action (null: none); `base` gives the device's
   * DDI base URL, asked only when a link is written.
   */
  body(base: () => string, dev: Device, action: Action | null): string;
}

export function controllerBaseWriter(sleep: string): ControllerBaseWriter {
  const head = `{"config":{"polling":{"sleep":${JSON.stringify(sleep)}}},"_links":{`;
  const idle = `${head}}}`;
  return {
    body(base, dev, action) {
      if (action === null && dev.installedActionId === undefined && !dev.attributesRequested)
        return idle;
      const b = base();
      const links: string[] = [];
      if (action !== null) {
        if (action.status === 'canceling')
          links.push(`"cancelAction":{"href":${JSON.stringify(`${b}/cancelAction/${action.id}`)}}`);
        else
          links.push(
            `"deploymentBase":{"href":${JSON.stringify(`${b}/deploymentBase/${action.id}?c=${resourceHash(action)}`)}}`,
          );
      }
      if (dev.installedActionId !== undefined)
        links.push(
          `"installedBase":{"href":${JSON.stringify(`${b}/installedBase/${dev.installedActionId}`)}}`,
        );
      if (dev.attributesRequested)
        links.push(`"configData":{"href":${JSON.stringify(`${b}/configData`)}}`);
      return `${head}${links.join(',')}}}`;
    },
  };
}
