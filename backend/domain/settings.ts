import campaign from '../../templates/campaign.json';

/** Operator settings, with defaults from the campaign; environment variables override. */
export interface Settings {
  /** Longest life of an original photo and its analysed face data. */
  retentionMs: number;
  /** How long a "running" story may take before it is considered crashed and retried. */
  staleRunMs: number;
  /** Largest upload accepted by the local runtime (the engine enforces its own budget too). */
  maxUploadBytes: number;
}

export function loadSettings(env: NodeJS.ProcessEnv = process.env): Settings {
  const minutes = Number(env.RETENTION_MINUTES ?? campaign.retentionMinutes);
  return {
    retentionMs: (Number.isFinite(minutes) && minutes > 0 ? minutes : 30) * 60_000,
    staleRunMs: 90_000,
    maxUploadBytes: 20 * 1024 * 1024,
  };
}
