/**
 * The update server's counters, rendered by hand in the Prometheus text exposition
 * format (version 0.0.4). Plain numbers incremented on the hot paths: no labels map,
 * no allocation per increment.
 */

export const PROMETHEUS_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

export class ServerMetrics {
  /** DDI polls answered on the raw fast path (before Fastify). */
  ddiPollsFast = 0;
  /** DDI polls answered by the Fastify route (uncached, or not a TargetToken). */
  ddiPollsSlow = 0;
  /** Deployment feedback reports accepted (POST …/deploymentBase/{id}/feedback). */
  feedbackDeployment = 0;
  /** Cancel feedback reports accepted (POST …/cancelAction/{id}/feedback). */
  feedbackCancel = 0;
  /** Artifact bytes sent to devices (full and ranged downloads, counted when sent). */
  downloadBytes = 0;
  /** Release bundle uploads accepted / refused. */
  releaseUploadsAccepted = 0;
  releaseUploadsRefused = 0;

  /** The exposition text; `devicesCached` is the gauge's current value. */
  render(devicesCached: number): string {
    return [
      '# HELP cairn_ddi_polls_total DDI controller polls answered, by path.',
      '# TYPE cairn_ddi_polls_total counter',
      `cairn_ddi_polls_total{path="fast"} ${this.ddiPollsFast}`,
      `cairn_ddi_polls_total{path="slow"} ${this.ddiPollsSlow}`,
      '# HELP cairn_ddi_feedback_total DDI feedback reports accepted, by kind.',
      '# TYPE cairn_ddi_feedback_total counter',
      `cairn_ddi_feedback_total{kind="deployment"} ${this.feedbackDeployment}`,
      `cairn_ddi_feedback_total{kind="cancel"} ${this.feedbackCancel}`,
      '# HELP cairn_ddi_download_bytes_total Artifact bytes sent to devices.',
      '# TYPE cairn_ddi_download_bytes_total counter',
      `cairn_ddi_download_bytes_total ${this.downloadBytes}`,
      '# HELP cairn_release_uploads_total Release bundle uploads, by outcome.',
      '# TYPE cairn_release_uploads_total counter',
      `cairn_release_uploads_total{outcome="accepted"} ${this.releaseUploadsAccepted}`,
      `cairn_release_uploads_total{outcome="refused"} ${this.releaseUploadsRefused}`,
      '# HELP cairn_devices_cached Registered devices held in the device cache.',
      '# TYPE cairn_devices_cached gauge',
      `cairn_devices_cached ${devicesCached}`,
      '',
    ].join('\n');
  }
}
