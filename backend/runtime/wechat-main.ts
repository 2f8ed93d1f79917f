import { createWechatPorts, callerFromContext } from '../adapters/wechat';
import type { WxCloud } from '../adapters/wechat/sdk';
import { invoke } from '../functions/invoke';
import type { FnDefinition, FnResult } from '../functions/types';
import type { Ports } from '../ports';

/**
 * Turns a domain function into a cloud function entry (`exports.main`). The SDK is initialised
 * once per instance; ports are built once and reused by every invocation the instance serves.
 */
export function wechatMain<T>(fn: FnDefinition<T>, loadSdk: () => WxCloud): (event: unknown) => Promise<FnResult<T>> {
  let cloud: WxCloud | undefined;
  let ports: Ports | undefined;
  return async (event: unknown) => {
    if (!cloud) {
      cloud = loadSdk();
      cloud.init({ env: cloud.DYNAMIC_CURRENT_ENV });
      ports = createWechatPorts(cloud);
    }
    // Identity only from the platform: fields like `userInfo` in the event are ignored.
    const caller = callerFromContext(cloud.getWXContext());
    const { userInfo: _ignored, ...rest } = (event ?? {}) as Record<string, unknown>;
    return invoke(fn, rest, { caller, ports: ports! });
  };
}
