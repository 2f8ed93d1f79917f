// Build-time constants that Taro's defineConstants injects into the client.
(globalThis as any).API_BASE = '';
(globalThis as any).CLOUD_ENV = 'DYNAMIC_CURRENT_ENV';
