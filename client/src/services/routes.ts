/** Page paths, in one place (app.config.ts registers the same list). */
export const ROUTES = {
  home: '/pages/index/index',
  consent: '/pages/consent/index',
  photo: '/pages/photo/index',
  progress: '/pages/progress/index',
  stories: '/pages/stories/index',
  poster: '/pages/poster/index',
  mine: '/pages/mine/index',
  privacy: '/pages/privacy/index',
} as const;

/** `route?key=value…` with encoded values (undefined values are left out). */
export function withQuery(route: string, query: Record<string, string | number | undefined>): string {
  const parts = Object.entries(query)
    .filter(([, v]) => v !== undefined && v !== '')
    .map(([k, v]) => `${k}=${encodeURIComponent(String(v))}`);
  return parts.length ? `${route}?${parts.join('&')}` : route;
}
