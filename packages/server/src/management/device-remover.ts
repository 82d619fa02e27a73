/**
 * Deleting a device: its status history, actions, rollout memberships and the device
 * row go in one transaction; the device caches are invalidated afterwards (its
 * TargetToken no longer authenticates: the device lookup finds nothing).
 */
import type { Database, Transaction } from '@cairn/db';
import type { ServerTables } from '../db/schema.js';
import type { DeviceService } from '../devices/devices.js';
import { DeviceError } from '../errors.js';
import type { ManagementTables } from './schema.js';

type Tables = ServerTables & ManagementTables;

export class DeviceRemover {
  readonly #db: Database;
  readonly #devices: DeviceService;

  constructor(db: Database, devices: DeviceService) {
    this.#db = db;
    this.#devices = devices;
  }

  async remove(controllerId: string): Promise<void> {
    await this.#db.transaction(async (trx: Transaction<Tables>) => {
      const found = await trx
        .selectFrom('devices')
        .select('controller_id')
        .where('controller_id', '=', controllerId)
        .executeTakeFirst();
      if (found === undefined)
        throw new DeviceError('DEVICE_NOT_FOUND', `no device "${controllerId}"`);
      const actionIds = trx
        .selectFrom('actions')
        .select('id')
        .where('controller_id', '=', controllerId);
      await trx.deleteFrom('action_status').where('action_id', 'in', actionIds).execute();
      await trx
        .updateTable('devices')
        .set({ installed_action_id: null })
        .where('controller_id', '=', controllerId)
        .execute();
      await trx.deleteFrom('rollout_targets').where('controller_id', '=', controllerId).execute();
      await trx.deleteFrom('actions').where('controller_id', '=', controllerId).execute();
      await trx.deleteFrom('devices').where('controller_id', '=', controllerId).execute();
    });
    this.#devices.invalidate(controllerId);
  }
}
