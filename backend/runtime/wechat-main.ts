import { createWechatPorts, callerFromContext } from '../adapters/wechat/index';
import type { WxCloud } from '../adapters/wechat/sdk';
import { invoke } from '../functions/invoke';
import type { FnDefinition, FnResult, Services } from '../functions/types';
import type { Ports } from '../ports';
import { createServices } from './services';
import type { FaceEngine } from '../engine-port';
import { AppError } from '../../engine/core/errors';

/** Functions that never touch images are bundled without the engine (and its native modules). */
const noEngine = (): FaceEngine => {
  throw new AppError('INTERNAL', { reason: 'this function was bundled without the engine' });
};

/**
 * Turns a domain function into a cloud function entry (`exports.main`). The SDK is initialised
 * once per instance; ports are built once and reused by every invocation the instance serves.
 */
export function wechatMain<T>(fn: FnDefinition<T>, loadSdk: () => WxCloud, loadEngine: () => FaceEngine = noEngine): (event: unknown) => Promise<FnResult<T>> {
  let cloud: WxCloud | undefined;
  let ports: Ports | undefined;
  let services: Services | undefined;
  return async (event: unknown) => {
    if (!cloud) {
      cloud = loadSdk();
      cloud.init({ env: cloud.DYNAMIC_CURRENT_ENV });
      ports = createWechatPorts(cloud);
      services = createServices(loadEngine);
    }
    // Identity only from the platform: fields like `userInfo` in the event are ignored.
    const context = cloud.getWXContext();
    const caller = callerFromContext(context);
    const { userInfo: _ignored, ...rest } = (event ?? {}) as Record<string, unknown>;
    // File IDs must belong to this environment: cloud://<env>.<bucket>/…
    const envPrefix = context.ENV ? `${context.ENV}.` : undefined;
    return invoke(fn, rest, { caller, ports: ports!, services: { ...services!, envPrefix } });
  };
}
