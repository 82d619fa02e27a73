export { anchorFromPem } from '@cairn/core';
/** The fixed reference time of the test certificates (valid 2024–2034). */
export const FIXTURE = new Date('2026-06-01T00:00:00Z');
