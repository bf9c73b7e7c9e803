/**
 * A healthcheck as Docker's inspect output spells it (`Config.Healthcheck` of an image or a
 * container): `Test`, durations in nanoseconds, `Retries`; fields that are not set are left out.
 */
import type { HealthcheckSpec } from '../../engine/containers';

export function dockerHealthcheck(h: HealthcheckSpec): Record<string, unknown> {
  return {
    ...(h.test !== undefined ? { Test: h.test } : {}),
    ...(h.intervalNs !== undefined ? { Interval: h.intervalNs } : {}),
    ...(h.timeoutNs !== undefined ? { Timeout: h.timeoutNs } : {}),
    ...(h.startPeriodNs !== undefined ? { StartPeriod: h.startPeriodNs } : {}),
    ...(h.startIntervalNs !== undefined ? { StartInterval: h.startIntervalNs } : {}),
    ...(h.retries !== undefined ? { Retries: h.retries } : {}),
  };
}
