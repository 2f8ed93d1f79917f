// Types for the per-platform transport: Taro picks backend.weapp.ts or backend.h5.ts at build time.
import type { Backend } from './api-types';

export declare function initBackend(): void;
export declare const backend: Backend;
