// @cairn/agent public API (explicit named exports).
export { AgentError } from './errors.js';
export type { AgentErrorCode } from './errors.js';
export { dirnameOf, writeFileAtomic } from './disk/disk.js';
export type { Disk } from './disk/disk.js';
export { NodeDisk } from './disk/node-disk.js';
export { SimDisk } from './disk/sim-disk.js';
export { UINT64_MAX } from './counter/counter.js';
export type { CounterStore } from './counter/counter.js';
export { FileCounterStore } from './counter/file-counter.js';
export { TpmCounterStore } from './counter/tpm-counter.js';
export type { TpmCounterOptions } from './counter/tpm-counter.js';
export { FileEnvStore, GrubEnvStore, UBootEnvStore } from './boot/env.js';
export type { EnvStore } from './boot/env.js';
export { DEFAULT_ATTEMPTS, EnvBootControl, ScriptBootControl } from './boot/boot-control.js';
export type { BootControl, SlotState } from './boot/boot-control.js';
export { runTool } from './tools/run.js';
export { InstallLog } from './log/install-log.js';
export type { InstallEvent, InstallLogEntry, NewInstallLogEntry } from './log/install-log.js';
export { DiskSlotStorage, FileSlotStorage } from './slots/slot-storage.js';
export type { SlotStorage } from './slots/slot-storage.js';
export { StateStore } from './device/state.js';
export type { AgentState, SlotImage } from './device/state.js';
export { SimulatedBootloader } from './device/sim-bootloader.js';
export type { BootOutcome } from './device/sim-bootloader.js';
export { SimulatedDevice } from './device/sim-device.js';
export type { DeviceBootResult, SimulatedDeviceOptions } from './device/sim-device.js';
export { UpdateAgent } from './install/agent.js';
export type {
  AgentIdentity,
  AgentStatus,
  BootResult,
  InstallResult,
  TransparencyPolicy,
  UpdateAgentOptions,
} from './install/agent.js';
export { classifyRejection, InstallError } from './install/errors.js';
export type { InstallRejectCode } from './install/errors.js';
export { DdiClient, DEFAULT_MAX_JSON_BYTES } from './ddi/client.js';
export type { DdiAuth, DdiClientOptions } from './ddi/client.js';
export type { DdiTlsOptions } from './ddi/http.js';
export { DdiError } from './ddi/errors.js';
export type { DdiErrorCode } from './ddi/errors.js';
export {
  actionIdFromHref,
  parseCancel,
  parseControllerBase,
  parseDeploymentBase,
} from './ddi/model.js';
export type {
  DdiArtifact,
  DdiCancel,
  DdiChunk,
  DdiConfigData,
  DdiControllerBase,
  DdiDeploymentBase,
  DdiExecution,
  DdiFeedback,
  DdiFinished,
  DdiHandling,
  DdiLink,
} from './ddi/model.js';
export { MAX_POLL_SLEEP_MS, parsePollingSleep, PollSchedule } from './ddi/polling.js';
export type { PollScheduleOptions } from './ddi/polling.js';
export { DEFAULT_MAX_ARTIFACT_BYTES, downloadArtifact, downloadHref } from './ddi/download.js';
export type { DownloadOptions, DownloadStats } from './ddi/download.js';
export { OtaStateStore } from './ddi/ota-state.js';
export type { OtaState } from './ddi/ota-state.js';
export { feedback as ddiFeedback, logLine as installLogLine } from './ddi/feedback.js';
export { defaultSelectArtifact, OtaUpdater } from './ddi/updater.js';
export type { OtaUpdaterOptions, PollCycle, PollOutcome } from './ddi/updater.js';
export { AgentConfigError } from './config/errors.js';
export type { AgentConfigErrorCode } from './config/errors.js';
export { DEFAULT_CONFIG_PATH, DEFAULT_DATA_DIR, MAX_CONFIG_BYTES } from './config/schema.js';
export type {
  AgentConfig,
  BootConfig,
  BootedSlotConfig,
  CounterConfig,
  DdiConfig,
  HealthCheckConfig,
  TrustConfig,
} from './config/schema.js';
export { parseAgentConfig } from './config/validate.js';
export { applyEnvOverrides, ENV_OVERRIDES } from './config/env-overrides.js';
export { loadAgentConfig } from './config/load.js';
export type { LoadAgentConfigOptions } from './config/load.js';
export { bootedSlotReader, slotFromCmdline } from './config/booted-slot.js';
export { runHealthCheck } from './config/health-check.js';
export type { HealthCheckOutcome } from './config/health-check.js';
export { createAgentRuntime } from './config/runtime.js';
export type { AgentRuntime } from './config/runtime.js';
export { AGENT_EXIT } from './bin/cli-io.js';
export type { CliIo } from './bin/cli-io.js';
export { formatProgress } from './bin/progress.js';
export { readFileChunks } from './bin/file-source.js';
export type { FileChunksOptions } from './bin/file-source.js';
export { AGENT_COMMANDS, runAgentCli } from './bin/main.js';
export type { AgentCliOptions } from './bin/main.js';
