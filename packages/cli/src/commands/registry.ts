import type { Command } from '../command.js';
import { auditExportCheckpointCommand } from './audit-export-checkpoint.js';
import { approvalsListCommand, approveCommand } from './approve.js';
import { auditVerifyCommand } from './audit-verify.js';
import { demoCommand } from './demo.js';
import { deviceAddCommand } from './device-add.js';
import { deviceListCommand } from './device-list.js';
import { keysGenerateCommand } from './keys-generate.js';
import { keysListCommand } from './keys-list.js';
import { keysShowCommand } from './keys-show.js';
import { pkiCrlCommand } from './pki-crl.js';
import { pkiExportCommand } from './pki-export.js';
import { pkiInitCommand } from './pki-init.js';
import { pkiIssueCommand } from './pki-issue.js';
import { pkiRevokeCommand } from './pki-revoke.js';
import { releaseListCommand } from './release-list.js';
import { releaseUploadCommand } from './release-upload.js';
import { serverServeCommand } from './server-serve.js';
import { signCommand } from './sign.js';
import { signerServeCommand } from './signer-serve.js';
import {
  rolloutApproveCommand,
  rolloutCreateCommand,
  rolloutPauseCommand,
  rolloutResumeCommand,
  rolloutStartCommand,
  rolloutStatusCommand,
  rolloutStopCommand,
} from './rollout.js';
import {
  serverTokenCreateCommand,
  serverTokenListCommand,
  serverTokenRevokeCommand,
} from './rollout-server-token.js';
import { suitDecodeCommand, suitVerifyCommand } from './suit.js';
import { verifyCommand } from './verify.js';
import { tokenCreateCommand, tokenListCommand, tokenRevokeCommand } from './token.js';
import { upCommand } from './up.js';
import { workerCreateCommand, workerListCommand, workerShowCommand } from './worker.js';

/**
 * Every cairn command. Each lives in its own file under commands/; add one import and
 * one entry here (one line each, keep the list sorted by command path).
 */
export const COMMANDS: readonly Command[] = [
  approvalsListCommand,
  approveCommand,
  auditExportCheckpointCommand,
  auditVerifyCommand,
  demoCommand,
  deviceAddCommand,
  deviceListCommand,
  keysGenerateCommand,
  keysListCommand,
  keysShowCommand,
  pkiCrlCommand,
  pkiExportCommand,
  pkiInitCommand,
  pkiIssueCommand,
  pkiRevokeCommand,
  releaseListCommand,
  releaseUploadCommand,
  serverServeCommand,
  signCommand,
  signerServeCommand,
  rolloutApproveCommand,
  rolloutCreateCommand,
  rolloutPauseCommand,
  rolloutResumeCommand,
  rolloutStartCommand,
  rolloutStatusCommand,
  rolloutStopCommand,
  serverTokenCreateCommand,
  serverTokenListCommand,
  serverTokenRevokeCommand,
  suitDecodeCommand,
  suitVerifyCommand,
  tokenCreateCommand,
  tokenListCommand,
  tokenRevokeCommand,
  upCommand,
  verifyCommand,
  workerCreateCommand,
  workerListCommand,
  workerShowCommand,
];
