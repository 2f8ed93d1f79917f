import { AppError } from '../../engine/core/errors';
import { deleteUserData, sweep, type SweepReport } from '../domain/retention';
import { callerOf, type FnDefinition } from './types';

/** `deleteMyData { confirm: true }`: every file and record of the caller, verified. */
export const deleteMyData: FnDefinition<{ deleted: { files: number; records: number } }> = {
  name: 'deleteMyData',
  allowAnonymous: false,
  async run(event, ctx) {
    if (event.confirm !== true) throw new AppError('INVALID_ARGUMENT', { reason: 'confirm must be true', details: { field: 'confirm' } });
    return { deleted: await deleteUserData(ctx.ports, callerOf(ctx).userId) };
  },
};

/**
 * `sweeper`: run by the timer trigger (no user context). Anonymous by necessity; it only deletes
 * what is already past its time, so calling it early does no harm.
 */
export const sweeper: FnDefinition<SweepReport> = {
  name: 'sweeper',
  allowAnonymous: true,
  run: async (_event, ctx) => sweep(ctx.ports),
};
