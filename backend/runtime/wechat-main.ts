import { createWechatPorts, callerFromContext } from '../adapters/wechat/index';
import type { WxCloud } from '../adapters/wechat/sdk';
import { invoke } from '../functions/invoke';
import type { FnDefinition, FnResult, Services } from '../functions/types';
import { describeError, log } from '../log';
import type { Ports } from '../ports';
import { createServices } from './services';
import type { FaceEngine } from '../engine-port';
import { AppError, toErrorPayload } from '../../engine/core/errors';

/** Functions that never touch images are bundled without the engine (and its native modules). */
const noEngine = (): FaceEngine => {
  throw new AppError('INTERNAL', { reason: 'this function was bundled without the engine' });
};

interface Instance {
  cloud: WxCloud;
  ports: Ports;
  services: Services;
}

/**
 * Turns a domain function into a cloud function entry (`exports.main`). The SDK is initialised
 * once per instance; ports are built once and reused by every invocation the instance serves.
 * Nothing reaches the platform as a raw throw: a failing SDK load, init, port creation or
 * getWXContext answers `{ok:false, error:{code:'INTERNAL'}}` like any other failure, is logged with
 * its (redacted) reason, and the next invocation initialises again.
 */
export function wechatMain<T>(fn: FnDefinition<T>, loadSdk: () => WxCloud, loadEngine: () => FaceEngine = noEngine): (event: unknown) => Promise<FnResult<T>> {
  let instance: Instance | undefined;
  const init = (): Instance => {
    const cloud = loadSdk();
    cloud.init({ env: cloud.DYNAMIC_CURRENT_ENV });
    return { cloud, ports: createWechatPorts(cloud), services: createServices(loadEngine) };
  };
  return async (event: unknown) => {
    let stage = 'init';
    try {
      instance ??= init();
      stage = 'context';
      const { cloud, ports, services } = instance;
      // Identity only from the platform: fields like `userInfo` in the event are ignored.
      const context = cloud.getWXContext();
      const caller = callerFromContext(context);
      let rest: unknown = event ?? {};
      if (rest !== null && typeof rest === 'object' && !Array.isArray(rest)) {
        const { userInfo: _ignored, ...fields } = rest as Record<string, unknown>;
        rest = fields;
      }
      // File IDs must belong to this environment: cloud://<env>.<bucket>/…
      const envPrefix = context.ENV ? `${context.ENV}.` : undefined;
      stage = 'invoke';
      return await invoke(fn, rest, { caller, ports, services: { ...services, envPrefix } });
    } catch (err) {
      // invoke() never throws; this is the SDK, the ports or the platform context failing.
      const payload = toErrorPayload(err);
      log('error', 'fn failed', { fn: fn.name, code: payload.code, stage, reason: describeError(err) });
      return { ok: false, error: payload };
    }
  };
}
